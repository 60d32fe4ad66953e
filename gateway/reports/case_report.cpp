// The report model: request parsing, store data -> CaseReport, and the format switch.
// The renderers are report_json.cpp, report_csv.cpp and report_html.cpp.
#include "gateway/reports/case_report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "gateway/cases/case_time.h"
#include "gateway/cases/case_view.h"

namespace sixlink::reports {
namespace {

constexpr int64_t kDefaultDays = 30;
constexpr int64_t kMaxDays = 3660;  // ten years: the trend stays a few hundred points

const char* const kCaseLinks[] = {"joint_mediation", "joint_governance"};
const char* const kStates[] = {"open", "accepted", "in_progress", "resolved",
                               "transferred", "rejected", "closed"};

std::optional<double> one_decimal(std::optional<double> v) {
  if (!v) return std::nullopt;
  return std::round(*v * 10.0) / 10.0;
}

Figures figures_of(const store::CaseGroupStats& g) {
  Figures f;
  f.opened = g.opened;
  f.closed = g.closed;
  f.open_now = g.open_now;
  f.overdue = g.overdue;
  if (g.closed_with_deadline > 0)
    f.on_time_rate_percent =
        one_decimal(100.0 * static_cast<double>(g.closed_on_time) / static_cast<double>(g.closed_with_deadline));
  f.median_days_to_close = one_decimal(g.median_days_to_close);
  f.by_status = g.by_status;
  return f;
}

std::string member_name(const GatewayConfig& config, const std::string& id) {
  const MemberConfig* m = config.find_member(id);
  return m && !m->name.empty() ? m->name : id;
}

LinkSection section_of(const std::string& link, const store::CaseReportData& data,
                       const GatewayConfig& config) {
  LinkSection s;
  s.link = link;
  for (const auto& t : data.link_totals)
    if (t.link == link) s.total = figures_of(t);
  std::set<std::string> listed;
  for (const auto& m : config.members) {
    JurisdictionRow row{m.id, member_name(config, m.id), {}};
    for (const auto& g : data.groups)
      if (g.link == link && g.lead == m.id) row.figures = figures_of(g);
    s.rows.push_back(std::move(row));
    listed.insert(m.id);
  }
  for (const auto& g : data.groups)  // a lead no longer configured still counts
    if (g.link == link && !listed.count(g.lead)) s.rows.push_back({g.lead, g.lead, figures_of(g)});
  return s;
}

int bucket_days(int64_t days) {
  if (days <= 62) return 1;
  if (days <= 728) return 7;
  return static_cast<int>((days + 103) / 104);
}

void add_trend(const store::CaseReportData& data, const ReportRequest& r, CaseReport* out) {
  const int64_t days = r.to_day - r.from_day + 1;
  out->trend_bucket_days = bucket_days(days);
  for (int64_t d = r.from_day; d <= r.to_day; d += out->trend_bucket_days) out->trend.push_back({d, 0, 0});
  for (const auto& c : data.days) {
    if (c.day < r.from_day || c.day > r.to_day) continue;
    TrendPoint& p = out->trend[static_cast<std::size_t>((c.day - r.from_day) / out->trend_bucket_days)];
    p.opened += c.opened;
    p.closed += c.closed;
  }
}

}  // namespace

std::string decimal(const std::optional<double>& value) {
  if (!value) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", *value);
  return buf;
}

std::optional<ApiError> parse_report_request(const ParamLookup& param, int64_t now_ms,
                                             ReportRequest* out) {
  out->now_ms = now_ms;
  const int64_t today = cases::beijing_day(now_ms);
  out->to_day = today;
  if (const std::string* to = param("to")) {
    auto d = cases::parse_date(*to);
    if (!d) return invalid_field("to", "to is a date, YYYY-MM-DD");
    out->to_day = *d;
  }
  out->from_day = out->to_day - (kDefaultDays - 1);
  if (const std::string* from = param("from")) {
    auto d = cases::parse_date(*from);
    if (!d) return invalid_field("from", "from is a date, YYYY-MM-DD");
    out->from_day = *d;
  }
  if (out->from_day > out->to_day) return invalid_field("from", "from is after to");
  if (out->to_day - out->from_day + 1 > kMaxDays) return invalid_field("from", "the period is at most ten years");
  if (const std::string* f = param("format")) {
    if (*f != "json" && *f != "csv" && *f != "html") return invalid_field("format", "format is json, csv or html");
    out->format = *f;
  }
  if (const std::string* l = param("lang")) {
    if (*l != "zh" && *l != "en") return invalid_field("lang", "lang is zh or en");
    out->lang = *l;
  }
  return std::nullopt;
}

CaseReport make_report(const store::CaseReportData& data, const GatewayConfig& config,
                       const ReportRequest& request) {
  CaseReport r;
  r.request = request;
  for (const char* link : kCaseLinks) r.links.push_back(section_of(link, data, config));
  r.overall = figures_of(data.overall);
  r.statuses.assign(std::begin(kStates), std::end(kStates));
  add_trend(data, request, &r);
  for (const auto& m : config.members) {
    auto it = data.alerts_by_source.find(m.id);
    r.alerts.push_back({m.id, member_name(config, m.id), it == data.alerts_by_source.end() ? 0 : it->second});
  }
  for (const char* line : {"south_line", "west_line"}) {
    auto it = data.incidents_by_line.find(line);
    r.incidents.push_back({line, line, it == data.incidents_by_line.end() ? 0 : it->second});
  }
  if (auto it = data.incidents_by_line.find(""); it != data.incidents_by_line.end())
    r.incidents.push_back({"", "no_line", it->second});
  r.overdue_total = data.overdue_listed_total;
  for (const auto& c : data.overdue)
    r.overdue.push_back({c.case_id, c.link, c.title, c.lead, member_name(config, c.lead), c.lead_unit,
                         c.deadline_ms.value_or(0), cases::days_overdue(c, request.now_ms)});
  return r;
}

RenderedReport build_case_report(store::Store& store, const GatewayConfig& config,
                                 const ReportRequest& request) {
  store::CaseReportQuery q;
  q.from_day = request.from_day;
  q.to_day = request.to_day;
  q.now_ms = request.now_ms;
  q.member = request.member;
  CaseReport report = make_report(store.case_report(q), config, request);
  if (request.format == "csv") return {"text/csv; charset=utf-8", render_csv(report)};
  if (request.format == "html") return {"text/html; charset=utf-8", render_html(report)};
  return {"application/json", render_json(report)};
}

}  // namespace sixlink::reports
