// The joint-meeting report (gateway/reports/) over a fixture whose numbers are worked
// out by hand: per link and jurisdiction, on-time rate, median, trend, alerts, patrol
// incidents and the overdue list; then the same report as CSV and as HTML.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <unistd.h>

#include "gateway/cases/case_time.h"
#include "gateway/reports/case_report.h"
#include "tests/unit/cases/case_fixture.h"

namespace sixlink::reports {
namespace {

namespace json = boost::json;
using cases::parse_rfc3339_ms;
using cases::test::CaseMsg;
using cases::test::ingest_now;
using cases::test::plain_message;

int64_t at(const char* t) { return parse_rfc3339_ms(t).value(); }

GatewayConfig federation_config() {
  GatewayConfig c;
  const char* ids[] = {"taicang", "baoshan", "jiading", "kunshan"};
  const char* names[] = {"太仓市", "宝山区", "嘉定区", "昆山市"};
  for (int i = 0; i < 4; ++i) {
    MemberConfig m;
    m.id = ids[i];
    m.name = names[i];
    c.members.push_back(m);
  }
  return c;
}

// Resolves and closes `case_id` as its lead, taicang, closing at `closed`.
void close_case(store::Store& s, const std::string& case_id, const char* closed) {
  const int64_t t = at(closed);
  ASSERT_EQ(ingest_now(s, CaseMsg("A-" + case_id, "taicang", "case.update", case_id).status("accepted").at(t - 7200000).record()).status,
            store::IngestStatus::accepted);
  ASSERT_EQ(ingest_now(s, CaseMsg("R-" + case_id, "taicang", "case.update", case_id).status("resolved").at(t - 3600000).record()).status,
            store::IngestStatus::accepted);
  ASSERT_EQ(ingest_now(s, CaseMsg("C-" + case_id, "taicang", "case.close", case_id).at(t).record()).status,
            store::IngestStatus::accepted);
}

class CasesReport : public ::testing::Test {
 protected:
  void SetUp() override {
    store::Store& s = *f.store;
    auto open = [&](const char* id, const char* source, const char* case_id, const char* lead, const char* when,
                    const char* deadline) {
      CaseMsg m(id, source, "case.open", case_id);
      m.lead(lead).at(at(when)).to({"taicang"});
      if (*deadline) m.deadline(deadline);
      if (std::string(case_id) == "ks:3") m.title("=调解 \"A,B\" <b>");
      if (std::string(case_id) == "bs:1") m.link("joint_governance").to({"jiading"});
      ASSERT_EQ(ingest_now(s, m.record()).status, store::IngestStatus::accepted) << case_id;
    };
    open("KS-0", "kunshan", "ks:0", "taicang", "2026-10-20T09:00:00+08:00", "");
    open("KS-1", "kunshan", "ks:1", "taicang", "2026-11-02T09:00:00+08:00", "2026-11-09T17:00:00+08:00");
    open("KS-2", "kunshan", "ks:2", "taicang", "2026-11-03T09:00:00+08:00", "2026-11-05T17:00:00+08:00");
    open("KS-3", "kunshan", "ks:3", "kunshan", "2026-11-04T09:00:00+08:00", "2026-11-20T17:00:00+08:00");
    open("BS-1", "baoshan", "bs:1", "jiading", "2026-11-10T09:00:00+08:00", "2026-12-31T17:00:00+08:00");
    close_case(s, "ks:0", "2026-11-06T09:00:00+08:00");  // 17 days, no deadline
    close_case(s, "ks:1", "2026-11-05T09:00:00+08:00");  // 3 days, on time
    close_case(s, "ks:2", "2026-11-08T09:00:00+08:00");  // 5 days, late
    ASSERT_EQ(ingest_now(s, CaseMsg("JD-1", "jiading", "case.update", "bs:1").link("joint_governance").status("accepted")
                                .at(at("2026-11-11T09:00:00+08:00")).record()).status,
              store::IngestStatus::accepted);
    for (auto [id, source, when] : {std::tuple{"AL-1", "kunshan", "2026-11-03T10:00:00+08:00"},
                                    std::tuple{"AL-2", "kunshan", "2026-11-30T23:59:00+08:00"},
                                    std::tuple{"AL-3", "jiading", "2026-11-01T00:00:00+08:00"},
                                    std::tuple{"AL-4", "jiading", "2026-10-31T23:59:00+08:00"}})  // before the period
      ingest_now(s, plain_message(id, source, "info_sharing", "alert", at(when)));
    for (auto [id, line] : {std::pair{"PI-1", "south_line"}, std::pair{"PI-2", "south_line"},
                            std::pair{"PI-3", "west_line"}, std::pair{"PI-4", ""}}) {
      json::object body{{"incident", json::object{{"type", "fight"}}}};
      if (*line) body["border_line"] = line;
      ingest_now(s, plain_message(id, "jiading", "joint_patrol", "patrol.incident", at("2026-11-12T10:00:00+08:00"), body));
    }
    request.from_day = cases::parse_date("2026-11-01").value();
    request.to_day = cases::parse_date("2026-11-30").value();
    request.now_ms = at("2026-11-30T12:00:00+08:00");
  }

  CaseReport report() {
    store::CaseReportQuery q{request.from_day, request.to_day, request.now_ms, request.member, 200};
    return make_report(f.store->case_report(q), config, request);
  }

  cases::test::StoreFile f;
  GatewayConfig config = federation_config();
  ReportRequest request;
};

const json::object& jurisdiction(const json::value& report, const char* link, const char* member) {
  for (const auto& l : report.at("links").as_array())
    if (l.at("link").as_string() == link)
      for (const auto& j : l.at("jurisdictions").as_array())
        if (j.at("member").as_string() == member) return j.at("figures").as_object();
  throw std::runtime_error("no such row");
}

TEST_F(CasesReport, JsonFiguresMatchTheFixture) {
  json::value r = json::parse(render_json(report()));
  const auto& tc = jurisdiction(r, "joint_mediation", "taicang");
  EXPECT_EQ(tc.at("opened").as_int64(), 2) << "ks:0 was opened before the period";
  EXPECT_EQ(tc.at("closed").as_int64(), 3);
  EXPECT_EQ(tc.at("open_now").as_int64(), 0);
  EXPECT_DOUBLE_EQ(tc.at("on_time_rate_percent").to_number<double>(), 50.0) << "1 of the 2 with a deadline";
  EXPECT_DOUBLE_EQ(tc.at("median_days_to_close").to_number<double>(), 5.0) << "of 3, 5 and 17 days";
  EXPECT_EQ(tc.at("by_status").at("closed").as_int64(), 3);
  const auto& ks = jurisdiction(r, "joint_mediation", "kunshan");
  EXPECT_EQ(ks.at("opened").as_int64(), 1);
  EXPECT_EQ(ks.at("open_now").as_int64(), 1);
  EXPECT_EQ(ks.at("overdue").as_int64(), 1);
  EXPECT_TRUE(ks.at("on_time_rate_percent").is_null());
  EXPECT_TRUE(ks.at("median_days_to_close").is_null());
  const auto& jd = jurisdiction(r, "joint_governance", "jiading");
  EXPECT_EQ(jd.at("opened").as_int64(), 1);
  EXPECT_EQ(jd.at("by_status").at("accepted").as_int64(), 1);
  EXPECT_EQ(jd.at("overdue").as_int64(), 0);
  const auto& overall = r.at("overall").as_object();
  EXPECT_EQ(overall.at("opened").as_int64(), 4);
  EXPECT_EQ(overall.at("closed").as_int64(), 3);
  EXPECT_EQ(overall.at("open_now").as_int64(), 2);
  EXPECT_EQ(overall.at("overdue").as_int64(), 1);
  EXPECT_EQ(r.at("links").as_array()[0].at("name").as_string(), "矛盾联调");

  const auto& points = r.at("trend").at("points").as_array();
  ASSERT_EQ(points.size(), 30u);
  EXPECT_EQ(points[1].at("date").as_string(), "2026-11-02");
  EXPECT_EQ(points[1].at("opened").as_int64(), 1);
  EXPECT_EQ(points[4].at("closed").as_int64(), 1);  // 11-05
  EXPECT_EQ(points[7].at("closed").as_int64(), 1);  // 11-08

  std::map<std::string, int64_t> alerts;
  for (const auto& a : r.at("alerts_by_partner").as_array()) alerts[std::string(a.at("member").as_string())] = a.at("alerts").as_int64();
  EXPECT_EQ(alerts["kunshan"], 2);
  EXPECT_EQ(alerts["jiading"], 1) << "the alert of 10-31 23:59 Beijing time is outside the period";
  EXPECT_EQ(alerts["baoshan"], 0);
  std::map<std::string, int64_t> incidents;
  for (const auto& i : r.at("patrol_incidents").as_array())
    incidents[i.at("border_line").is_null() ? "none" : std::string(i.at("border_line").as_string())] = i.at("incidents").as_int64();
  EXPECT_EQ(incidents["south_line"], 2);
  EXPECT_EQ(incidents["west_line"], 1);
  EXPECT_EQ(incidents["none"], 1);

  EXPECT_EQ(r.at("overdue").at("total").as_int64(), 1);
  const auto& od = r.at("overdue").at("cases").as_array();
  ASSERT_EQ(od.size(), 1u);
  EXPECT_EQ(od[0].at("case_id").as_string(), "ks:3");
  EXPECT_EQ(od[0].at("lead_name").as_string(), "昆山市");
  EXPECT_EQ(od[0].at("days_overdue").as_int64(), 10) << "9 days 19 hours, counted as started days";
}

TEST_F(CasesReport, AMemberSeesOnlyItsOwnOverdueCases) {
  request.member = "jiading";
  CaseReport r = report();
  EXPECT_EQ(r.overdue_total, 0);
  EXPECT_TRUE(r.overdue.empty());
  EXPECT_EQ(r.overall.overdue, 1) << "the counts stay the federation's";
  request.member = "kunshan";  // party to all five; ks:2 is past its deadline but closed
  r = report();
  EXPECT_EQ(r.overdue_total, 1);
  ASSERT_EQ(r.overdue.size(), 1u);
  EXPECT_EQ(r.overdue[0].case_id, "ks:3");
}

TEST_F(CasesReport, CsvIsRfc4180WithBomAndEscapedCells) {
  std::string csv = render_csv(report());
  ASSERT_EQ(csv.rfind("\xEF\xBB\xBF", 0), 0u) << "UTF-8 byte-order mark first";
  EXPECT_NE(csv.find("\r\n"), std::string::npos);
  EXPECT_EQ(csv.find('\n', 0) - 1, csv.find("\r\n")) << "CRLF line ends";
  EXPECT_NE(csv.find("\"'=调解 \"\"A,B\"\" <b>\""), std::string::npos) << "quoted, quotes doubled, formula defused";
  EXPECT_NE(csv.find("矛盾联调,太仓市,taicang,2,3,0,0,50.0,5.0"), std::string::npos);
  // Every record has the same number of fields (counting commas outside quotes).
  std::set<int> widths;
  bool quoted = false;
  int commas = 0;
  for (char c : csv.substr(3)) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) ++commas;
    else if (c == '\n' && !quoted) {
      widths.insert(commas);
      commas = 0;
    }
  }
  EXPECT_EQ(widths.size(), 1u);
}

TEST_F(CasesReport, HtmlIsSelfContainedEscapedAndCarriesTheFigures) {
  std::string html = render_html(report());
  EXPECT_NE(html.find("<html lang=\"zh-CN\">"), std::string::npos);
  EXPECT_NE(html.find("@media print"), std::string::npos);
  EXPECT_EQ(std::count(html.begin(), html.end(), '<') > 0, true);
  EXPECT_GE(std::regex_search(html, std::regex("<svg")), true);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  std::string no_ns = std::regex_replace(html, std::regex("xmlns=\"http://www.w3.org/2000/svg\""), "");
  EXPECT_EQ(no_ns.find("http://"), std::string::npos) << "no external asset";
  EXPECT_EQ(no_ns.find("https://"), std::string::npos);
  EXPECT_NE(html.find("data-metric=\"joint_mediation.taicang.on_time_rate_percent\">50.0<"), std::string::npos);
  EXPECT_NE(html.find("data-metric=\"overdue.ks:3.days\">10<"), std::string::npos);
  EXPECT_NE(html.find("=调解 &quot;A,B&quot; &lt;b&gt;"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("昆山市"), std::string::npos);
  request.lang = "en";
  std::string en = render_html(report());
  EXPECT_NE(en.find("Joint mediation"), std::string::npos);
  EXPECT_NE(en.find("<html lang=\"en\">"), std::string::npos);
}

// ---------------------------------------------------------------- the page in a browser

std::string run_command(const std::string& cmd, int* exit_code) {
  FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r");
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  int status = pclose(p);
  *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

std::string chromium_binary() {
  for (const char* c : {"/usr/bin/chromium", "/usr/bin/chromium-browser"})
    if (access(c, X_OK) == 0) return c;
  return "";
}

std::string number_text(const json::value& v) {
  if (v.is_null()) return "—";
  if (v.is_double()) return decimal(v.as_double());
  return std::to_string(v.to_number<int64_t>());
}

// The figure behind every data-metric name the HTML uses, read from the JSON report.
std::map<std::string, std::string> expected_metrics(const json::value& r) {
  std::map<std::string, std::string> m;
  auto figures = [&](const std::string& prefix, const json::value& f) {
    for (const char* k : {"opened", "closed", "open_now", "overdue", "on_time_rate_percent", "median_days_to_close"})
      m[prefix + "." + k] = number_text(f.at(k));
  };
  for (const auto& l : r.at("links").as_array()) {
    std::string link(l.at("link").as_string());
    figures(link + ".total", l.at("total"));
    for (const auto& j : l.at("jurisdictions").as_array())
      figures(link + "." + std::string(j.at("member").as_string()), j.at("figures"));
  }
  figures("overall", r.at("overall"));
  for (const auto& a : r.at("alerts_by_partner").as_array())
    m["alerts." + std::string(a.at("member").as_string())] = number_text(a.at("alerts"));
  for (const auto& i : r.at("patrol_incidents").as_array())
    m["incidents." + (i.at("border_line").is_null() ? std::string("none") : std::string(i.at("border_line").as_string()))] =
        number_text(i.at("incidents"));
  m["overdue.total"] = number_text(r.at("overdue").at("total"));
  for (const auto& c : r.at("overdue").at("cases").as_array())
    m["overdue." + std::string(c.at("case_id").as_string()) + ".days"] = number_text(c.at("days_overdue"));
  m["period"] = std::string(r.at("from").as_string()) + " — " + std::string(r.at("to").as_string());
  return m;
}

TEST_F(CasesReport, ChromiumRendersTheHtmlWithTheJsonFigures) {
  const std::string chromium = chromium_binary();
  if (chromium.empty()) GTEST_SKIP() << "chromium is not installed (scripts/install-deps installs it)";
  CaseReport rep = report();
  const std::string html_path = f.dir.file("report.html"), png = f.dir.file("report.png");
  std::ofstream(html_path) << render_html(rep);
  json::value expected_json = json::parse(render_json(rep));
  const std::string common = "timeout 120 " + chromium + " --headless --no-sandbox --disable-gpu --hide-scrollbars "
                             "--user-data-dir=" + f.dir.file("chromium") + " --window-size=1280,2000 ";
  int rc = 0;
  run_command(common + "--screenshot=" + png + " file://" + html_path, &rc);
  ASSERT_EQ(rc, 0) << "chromium --screenshot failed";
  std::string stats = run_command("python3 " SIXLINK_SOURCE_DIR "/tests/unit/cases/png_stats.py " + png, &rc);
  ASSERT_EQ(rc, 0) << stats;
  int width = 0, height = 0, colours = 0;
  long non_white = 0;
  ASSERT_EQ(std::sscanf(stats.c_str(), "width %d height %d colours %d nonwhite %ld", &width, &height, &colours, &non_white), 4)
      << stats;
  EXPECT_EQ(width, 1280);
  EXPECT_GT(colours, 20) << "text, table lines and the charts' colours: " << stats;
  EXPECT_GT(non_white, static_cast<long>(width) * height / 100) << "more than 1 % of the page is drawn: " << stats;

  std::string dom = run_command(common + "--dump-dom file://" + html_path, &rc);
  ASSERT_EQ(rc, 0);
  std::map<std::string, std::string> expected = expected_metrics(expected_json);
  std::regex metric("data-metric=\"([^\"]+)\"[^>]*>([^<]*)<");
  std::size_t seen = 0;
  for (auto it = std::sregex_iterator(dom.begin(), dom.end(), metric); it != std::sregex_iterator(); ++it) {
    std::string name = (*it)[1], text = (*it)[2];
    auto e = expected.find(name);
    ASSERT_NE(e, expected.end()) << "no figure named " << name << " in the JSON report";
    EXPECT_EQ(text, e->second) << name;
    ++seen;
  }
  EXPECT_EQ(seen, expected.size()) << "every figure of the JSON report is on the page";
  EXPECT_NE(dom.find("<svg"), std::string::npos);
}

TEST(CasesReportRequest, ParsesAndRefusesParameters) {
  std::map<std::string, std::string> params;
  auto lookup = [&](std::string_view n) -> const std::string* {
    auto it = params.find(std::string(n));
    return it == params.end() ? nullptr : &it->second;
  };
  ReportRequest r;
  const int64_t now = at("2026-11-30T01:00:00+08:00");
  ASSERT_FALSE(parse_report_request(lookup, now, &r));
  EXPECT_EQ(cases::format_date(r.to_day), "2026-11-30") << "today in Beijing";
  EXPECT_EQ(cases::format_date(r.from_day), "2026-11-01");
  EXPECT_EQ(r.format, "json");
  EXPECT_EQ(r.lang, "zh");
  params = {{"from", "2026-02-30"}};
  EXPECT_EQ(parse_report_request(lookup, now, &r)->field, "from");
  params = {{"from", "2026-12-01"}, {"to", "2026-11-01"}};
  EXPECT_EQ(parse_report_request(lookup, now, &r)->field, "from");
  params = {{"format", "pdf"}};
  EXPECT_EQ(parse_report_request(lookup, now, &r)->field, "format");
  params = {{"lang", "fr"}};
  EXPECT_EQ(parse_report_request(lookup, now, &r)->field, "lang");
}

TEST(CasesTime, Rfc3339AndBeijingDays) {
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T08:00:00+08:00"), 0);
  EXPECT_EQ(parse_rfc3339_ms("1970-01-01T00:00:01.5Z"), 1500);
  EXPECT_FALSE(parse_rfc3339_ms("2026-13-01T00:00:00Z"));
  EXPECT_FALSE(parse_rfc3339_ms("2026-11-01T00:00:00"));
  EXPECT_EQ(cases::format_beijing(at("2026-11-26T02:30:00Z")), "2026-11-26T10:30:00+08:00");
  EXPECT_EQ(cases::format_date(cases::beijing_day(at("2026-11-25T16:00:00Z"))), "2026-11-26");
  EXPECT_EQ(cases::format_date(cases::beijing_day(at("2026-11-25T15:59:59Z"))), "2026-11-25");
  EXPECT_EQ(cases::day_start_ms(cases::parse_date("2026-11-26").value()), at("2026-11-26T00:00:00+08:00"));
}

}  // namespace
}  // namespace sixlink::reports
