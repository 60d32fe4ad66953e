// sixlink-loadgen: the benchmark's load generator (bench/README.md, "Load").
#include <csignal>

#include "bench/loadgen/load_run.h"
#include "bench/loadgen/options.h"

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a server closing mid-write is an error to count, not a death
  int code = 0;
  auto options = sixlink::bench::parse_load_options(argc, argv, &code);
  if (!options) return code;
  return sixlink::bench::run_load(*options);
}
