// One run of the partner simulator: the simulated partners' senders, push endpoints and
// inbox pullers on one io_context, paced by --rate, stopped by --duration, --count or a
// signal (SIGINT/SIGTERM), then a bounded wait for the deliveries still under way, the
// checks of the ledger, and a summary. Asio stays in simulation.cpp.
#pragma once

#include <iosfwd>

#include "simulator/options.h"

namespace sixlink::sim {

// Runs the simulation; returns the process exit status: 0 done (and, with --check, every
// check passed), 1 a check failed (--check), 3 set-up failed (certificates, policy, ports).
int run_simulation(const Options& options, std::ostream& out, std::ostream& err);

}  // namespace sixlink::sim
