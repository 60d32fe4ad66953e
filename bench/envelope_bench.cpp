// The CPU of three steps every accepted message takes on an I/O thread, each against the
// way it was done before, in the same run: parsing the envelope (its body moved out of the
// parsed tree, against copied out of it as before), its canonical text (written member by
// member, against building its JSON object and writing that), and its SHA-256
// (sha256_hex, against EVP_Digest with EVP_sha256()). The rounds alternate the two ways;
// the medians and their ratio are printed as one JSON line. See bench/README.md,
// section "Envelope".
//
//   sixlink-bench-envelope [--rounds N] [--seconds S]
#include <openssl/evp.h>

#include <boost/json/object.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "gateway/core/digest.h"
#include "gateway/core/envelope.h"
#include "gateway/core/json_text.h"

namespace {

using Clock = std::chrono::steady_clock;

// A CAP alert as bench/run's partners send them (the CAP 1.2 specification's
// thunderstorm warning, appendix A.2), with Chinese text in the body as the partners' own.
constexpr const char* kEnvelope = R"({"id":"ks-2026-000123","source":"kunshan",
 "link":"info_sharing","kind":"alert","created_at":"2026-04-12T09:30:00+08:00",
 "recipients":["taicang","baoshan"],"classification":"internal","case_id":null,"patrol_id":null,
 "region_codes":["320583","320585"],"body":{"identifier":"KSTO1055887203",
 "sender":"KSTO@NWS.NOAA.GOV","sent":"2003-06-17T14:57:00-07:00","status":"Actual",
 "msgType":"Alert","scope":"Public","info":[{"category":["Met"],"event":"SEVERE THUNDERSTORM",
 "responseType":["Shelter"],"urgency":"Immediate","severity":"Severe","certainty":"Observed",
 "eventCode":[{"valueName":"SAME","value":"SVR"}],"expires":"2003-06-17T16:00:00-07:00",
 "senderName":"昆山市气象台","headline":"强雷暴警报：请立即就近避险",
 "description":"AT 254 PM PDT...NATIONAL WEATHER SERVICE DOPPLER RADAR INDICATED A SEVERE THUNDERSTORM OVER SOUTH CENTRAL ALPINE COUNTY.",
 "instruction":"TAKE COVER IN A SUBSTANTIAL SHELTER UNTIL THE STORM PASSES.",
 "area":[{"areaDesc":"昆山市花桥镇、太仓市浏河镇交界一带",
 "polygon":["38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14"],
 "geocode":[{"valueName":"SAME","value":"006109"},{"valueName":"SAME","value":"006009"}]}]}]}})";

volatile std::size_t observed = 0;

// ns per call of `step`, run for `seconds`.
double ns_per_call(const std::function<std::size_t()>& step, double seconds) {
  std::size_t sink = 0, calls = 0;
  const auto start = Clock::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  Clock::time_point now;
  do {
    for (int i = 0; i < 64; ++i) sink += step();
    calls += 64;
    now = Clock::now();
  } while (now < until);
  observed = sink;  // the work has an effect the compiler must keep
  return std::chrono::duration<double, std::nano>(now - start).count() / static_cast<double>(calls);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// {"name_ns": new, "name_before_ns": old, "name_ratio": new/old} members.
std::string compare(const char* name, const std::function<std::size_t()>& now,
                    const std::function<std::size_t()>& before, int rounds, double seconds) {
  std::vector<double> a, b;
  for (int r = 0; r < rounds; ++r) {
    a.push_back(ns_per_call(now, seconds));
    b.push_back(ns_per_call(before, seconds));
  }
  char out[256];
  std::snprintf(out, sizeof out, "\"%s_ns\":%.0f,\"%s_before_ns\":%.0f,\"%s_ratio\":%.2f", name,
                median(a), name, median(b), name, median(a) / median(b));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = 5;
  double seconds = 0.5;
  for (int i = 1; i < argc; ++i) {
    bool more = i + 1 < argc;
    if (std::strcmp(argv[i], "--rounds") == 0 && more) {
      rounds = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--seconds") == 0 && more) {
      seconds = std::atof(argv[++i]);
    } else {
      std::fprintf(stderr, "usage: %s [--rounds N] [--seconds S]\n", argv[0]);
      return 2;
    }
  }
  if (rounds < 1 || !(seconds > 0)) {
    std::fprintf(stderr, "--rounds must be at least 1 and --seconds above 0\n");
    return 2;
  }
  auto parsed = sixlink::parse_envelope(kEnvelope);
  if (!parsed.ok()) {
    std::fprintf(stderr, "the sample envelope does not parse: %s\n",
                 parsed.error().to_json().c_str());
    return 1;
  }
  const sixlink::Envelope envelope = parsed.value();
  const std::string text = sixlink::to_json_text(envelope);
  if (text != sixlink::canonical_json_text_keeping_top_order(sixlink::to_json(envelope))) {
    std::fprintf(stderr, "the two ways give different text\n");
    return 1;
  }
  std::string json = "{\"envelope_bytes\":" + std::to_string(text.size()) + ",";
  // Before, the body was copied out of the parsed tree, which was then freed: the same
  // parse followed by a copy of the body costs what that did.
  json += compare(
      "parse", [&] { return sixlink::parse_envelope(text).value().body.size(); },
      [&] {
        auto e = sixlink::parse_envelope(text);
        boost::json::object copy = e.value().body;
        return copy.size();
      },
      rounds, seconds);
  json += ",";
  json += compare(
      "text", [&] { return sixlink::to_json_text(envelope).size(); },
      [&] {
        return sixlink::canonical_json_text_keeping_top_order(sixlink::to_json(envelope)).size();
      },
      rounds, seconds);
  json += ",";
  json += compare(
      "sha256", [&] { return sixlink::sha256_hex(text).size(); },
      [&] {
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
        return static_cast<std::size_t>(len + md[0]);
      },
      rounds, seconds);
  json += "}";
  std::puts(json.c_str());
  return 0;
}
