// Command-line parsing of sixlink-simulator. Every error names the option at fault.
#include "simulator/options.h"

#include <algorithm>
#include <charconv>

#include "gateway/config/address.h"

namespace sixlink::sim {

namespace {

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  std::size_t from = 0;
  while (from <= text.size()) {
    std::size_t to = text.find(sep, from);
    if (to == std::string::npos) to = text.size();
    if (to > from) out.push_back(text.substr(from, to - from));
    from = to + 1;
  }
  return out;
}

bool parse_double(const std::string& text, double* out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && p == text.data() + text.size();
}

bool parse_int(const std::string& text, long long* out) {
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && p == text.data() + text.size();
}

// "https://host:port" (a trailing "/" allowed): the gateway's partner listener.
bool parse_gateway(const std::string& url, Options& o) {
  std::string rest = url;
  if (!rest.starts_with("https://")) return false;
  rest = rest.substr(8);
  if (rest.ends_with("/")) rest.pop_back();
  auto colon = rest.rfind(':');
  long long port = 0;
  if (colon == std::string::npos || colon == 0 || !parse_int(rest.substr(colon + 1), &port) || port < 1 || port > 65535)
    return false;
  o.gateway_host = rest.substr(0, colon);
  if (o.gateway_host.starts_with("[") && o.gateway_host.ends_with("]"))
    o.gateway_host = o.gateway_host.substr(1, o.gateway_host.size() - 2);
  o.gateway_port = static_cast<uint16_t>(port);
  return true;
}

std::string check_members(const Options& o) {
  if (o.members.empty()) return "--members names nobody";
  for (const auto& m : o.members) {
    if (m != "baoshan" && m != "jiading" && m != "kunshan")
      return "--members: the simulator plays baoshan, jiading and kunshan, not '" + m + "'";
    if (std::count(o.members.begin(), o.members.end(), m) > 1) return "--members: " + m + " is named twice";
  }
  for (const auto& [m, addr] : o.listen)
    if (std::find(o.members.begin(), o.members.end(), m) == o.members.end())
      return "--listen: " + m + " is not among --members";
  return "";
}

}  // namespace

const char* usage_text() {
  return "usage: sixlink-simulator --gateway https://HOST:PORT --pki DIR\n"
         "         [--members baoshan,jiading,kunshan] [--listen MEMBER=IP:PORT,...]\n"
         "         [--rate N/s] [--duration S | --count N] [--policy FILE] [--drain S]\n"
         "         [--summary-file F] [--samples-dir DIR] [--seed N] [--check]\n"
         "Plays Baoshan, Jiading and Kunshan against a Sixlink gateway: each sends six-link\n"
         "traffic in its native format over mTLS (<member>.pem/.key, ca.pem from --pki),\n"
         "receives by push on its --listen endpoint or pulls its inbox, and checks what it\n"
         "receives. --rate is per partner (default 2/s); --count N stops each partner after N\n"
         "messages (flows in progress are finished); --policy predicts routing and redaction\n"
         "(policies/six-link.yaml); --drain waits at most S seconds (default 30) for deliveries\n"
         "at the end; --check exits 1 when any check fails.\n";
}

ParseResult parse_options(const std::vector<std::string>& args) {
  Options o;
  ParseResult r;
  auto fail = [&r](std::string why) {
    r.error = std::move(why);
    return r;
  };
  bool have_gateway = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help") {
      r.help = true;
      return r;
    }
    if (a == "--check") {
      o.check = true;
      continue;
    }
    if (!a.starts_with("--")) return fail("unexpected argument '" + a + "'");
    if (i + 1 >= args.size()) return fail(a + " needs a value");
    const std::string& v = args[++i];
    if (a == "--gateway") {
      if (!parse_gateway(v, o)) return fail("--gateway: expected https://HOST:PORT, got '" + v + "'");
      have_gateway = true;
    } else if (a == "--pki") {
      o.pki_dir = v;
    } else if (a == "--members") {
      o.members = split(v, ',');
    } else if (a == "--listen") {
      for (const auto& item : split(v, ',')) {
        auto eq = item.find('=');
        auto addr = eq == std::string::npos ? std::nullopt : parse_listen_address(item.substr(eq + 1));
        if (!addr) return fail("--listen: expected MEMBER=IP:PORT, got '" + item + "'");
        o.listen[item.substr(0, eq)] = *addr;
      }
    } else if (a == "--rate") {
      std::string n = v.ends_with("/s") ? v.substr(0, v.size() - 2) : v;
      if (!parse_double(n, &o.rate) || o.rate <= 0 || o.rate > 1000) return fail("--rate: expected N/s with 0 < N <= 1000");
    } else if (a == "--duration") {
      double d = 0;
      if (!parse_double(v, &d) || d <= 0) return fail("--duration: expected seconds > 0");
      o.duration_s = d;
    } else if (a == "--count") {
      long long n = 0;
      if (!parse_int(v, &n) || n < 1 || n > 1000000) return fail("--count: expected 1..1000000");
      o.count = static_cast<int>(n);
    } else if (a == "--policy") {
      o.policy_file = v;
    } else if (a == "--drain") {
      if (!parse_double(v, &o.drain_s) || o.drain_s < 0) return fail("--drain: expected seconds >= 0");
    } else if (a == "--summary-file") {
      o.summary_file = v;
    } else if (a == "--samples-dir") {
      o.samples_dir = v;
    } else if (a == "--seed") {
      long long n = 0;
      if (!parse_int(v, &n) || n < 0 || n > 4294967295LL) return fail("--seed: expected 0..4294967295");
      o.seed = static_cast<uint32_t>(n);
    } else {
      return fail("unknown option " + a);
    }
  }
  if (!have_gateway) return fail("--gateway is required");
  if (o.pki_dir.empty()) return fail("--pki is required");
  if (o.duration_s && o.count) return fail("--duration and --count exclude each other");
  if (std::string err = check_members(o); !err.empty()) return fail(err);
  r.options = std::move(o);
  return r;
}

}  // namespace sixlink::sim
