// sixlink-simulator: plays Baoshan, Jiading and Kunshan against a Sixlink gateway.
// Usage: options.h (or --help); what it checks: ledger.h; how it runs: simulation.h.
#include <iostream>
#include <string>
#include <vector>

#include "simulator/options.h"
#include "simulator/simulation.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  sixlink::sim::ParseResult parsed = sixlink::sim::parse_options(args);
  if (parsed.help) {
    std::cout << sixlink::sim::usage_text();
    return 0;
  }
  if (!parsed.options) {
    std::cerr << "sixlink-simulator: " << parsed.error << "\n" << sixlink::sim::usage_text();
    return 2;
  }
  return sixlink::sim::run_simulation(*parsed.options, std::cout, std::cerr);
}
