// Golden round-trip tests of the Baoshan JSON adapter (adapters/baoshan-json): for every
// kind it maps (alert, case.*, patrol.*) and one generic kind, a canonical envelope
// (tests/data/adapters/baoshan-json/<name>.envelope.json) encodes to the golden Baoshan
// document (<name>.baoshan.json), and the golden document decodes to the same envelope.
// Field-by-field checks are in baoshan_json_mapping_test.cpp, errors in
// baoshan_json_errors_test.cpp, the coordinate conversion in baoshan_json_gcj02_test.cpp.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdlib>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

#include "adapters/baoshan-json/baoshan_json_adapter.h"
#include "gateway/core/json_text.h"

namespace sixlink {
namespace {

std::string data_path(const std::string& file) {
  return std::string(SIXLINK_SOURCE_DIR) + "/tests/data/adapters/baoshan-json/" + file;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The same JSON value, member order aside (doubles and integers kept apart).
std::string normalised(const std::string& json_text) {
  return canonical_json_text(boost::json::parse(json_text));
}

struct Golden {
  const char* name;
};

void PrintTo(const Golden& g, std::ostream* os) { *os << g.name; }

class BaoshanGoldenTest : public ::testing::TestWithParam<Golden> {};

TEST_P(BaoshanGoldenTest, EncodesToGoldenAndDecodesBack) {
  const std::string name = GetParam().name;
  auto parsed = parse_envelope(read_file(data_path(name + ".envelope.json")));
  ASSERT_TRUE(parsed.ok()) << parsed.error().to_json();
  const Envelope& e = parsed.value();
  ASSERT_FALSE(validate_envelope(e).has_value()) << validate_envelope(e)->to_json();

  BaoshanJsonAdapter adapter;
  NativeDocument doc = adapter.encode(e);
  EXPECT_EQ(doc.content_type, "application/json; charset=utf-8");
  if (std::getenv("SIXLINK_WRITE_GOLDEN")) {  // regenerating: review the diff before keeping it
    std::ofstream(data_path(name + ".baoshan.json"), std::ios::binary) << doc.bytes;
    GTEST_SKIP() << "wrote " << name << ".baoshan.json";
  }
  const std::string golden = read_file(data_path(name + ".baoshan.json"));
  ASSERT_FALSE(golden.empty()) << "missing golden file for " << name;
  EXPECT_EQ(normalised(doc.bytes), normalised(golden));

  // The golden document (as Baoshan would send it) decodes to the original envelope; the
  // document names its sender, so no authenticated member is needed.
  auto back = adapter.decode({"application/json", golden, "", ""});
  ASSERT_TRUE(back.ok()) << back.error().to_json();
  EXPECT_EQ(to_json_text(back.value()), to_json_text(e));
  EXPECT_FALSE(validate_envelope(back.value()).has_value());

  // And the encoder's own bytes do too, and re-encoding is stable.
  auto again = adapter.decode({doc.content_type, doc.bytes, "", "baoshan"});
  ASSERT_TRUE(again.ok()) << again.error().to_json();
  EXPECT_EQ(to_json_text(again.value()), to_json_text(e));
  EXPECT_EQ(adapter.encode(again.value()).bytes, doc.bytes);
}

INSTANTIATE_TEST_SUITE_P(Kinds, BaoshanGoldenTest,
                         ::testing::Values(Golden{"alert"}, Golden{"alert-cap-spec"},
                                           Golden{"case-open"}, Golden{"case-update"},
                                           Golden{"case-transfer"}, Golden{"case-close"},
                                           Golden{"patrol-plan"}, Golden{"patrol-position"},
                                           Golden{"patrol-incident"}, Golden{"bulletin"}),
                         [](const ::testing::TestParamInfo<Golden>& info) {
                           std::string n = info.param.name;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(BaoshanJsonAdapterTest, NameIsTheAdapterId) {
  EXPECT_EQ(BaoshanJsonAdapter().name(), "baoshan-json");
}

TEST(BaoshanJsonAdapterTest, EveryKindOfEveryLinkRoundTrips) {
  // Kinds without a golden file (meeting.*, safety.*) travel generically.
  BaoshanJsonAdapter adapter;
  for (const auto& link : link_ids())
    for (auto kind : kinds_of(link)) {
      Envelope e;
      e.id = "BS-RT-1";
      e.source = "baoshan";
      e.link = link;
      e.kind = std::string(kind);
      e.created_at = "2026-06-01T08:00:00+08:00";
      if (kind.starts_with("case.")) e.case_id = "baoshan:RT-1";
      if (kind == "case.transfer")
        e.body["lead"] = boost::json::object{{"jurisdiction", "kunshan"}};
      if (kind == "alert")
        e.body =
            boost::json::parse(R"({"identifier":"a","sender":"s","sent":"2026-06-01T08:00:00+08:00",
          "status":"Actual","msgType":"Alert","scope":"Public"})")
                .as_object();
      if (kind != "alert") e.body["title"] = "x";
      ASSERT_FALSE(validate_envelope(e).has_value()) << kind;
      NativeDocument doc = adapter.encode(e);
      auto back = adapter.decode({doc.content_type, doc.bytes, "", ""});
      ASSERT_TRUE(back.ok()) << kind << ": " << back.error().to_json();
      EXPECT_EQ(to_json_text(back.value()), to_json_text(e)) << kind;
    }
}

}  // namespace
}  // namespace sixlink
