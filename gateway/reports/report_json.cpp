// The case report as JSON. Written by hand rather than through boost::json so that the
// one-decimal figures print as 75.0 (not 7.5E1), exactly as the CSV and HTML show them.
#include <boost/json.hpp>

#include "gateway/cases/case_time.h"
#include "gateway/reports/case_report.h"
#include "gateway/reports/report_labels.h"

namespace sixlink::reports {
namespace {

std::string quoted(std::string_view s) { return boost::json::serialize(boost::json::value(boost::json::string(s))); }

std::string number_or_null(const std::optional<double>& v) { return v ? decimal(v) : "null"; }

std::string figures_json(const Figures& f, const std::vector<std::string>& statuses) {
  std::string o = "{\"opened\":" + std::to_string(f.opened) + ",\"closed\":" + std::to_string(f.closed) +
                  ",\"open_now\":" + std::to_string(f.open_now) + ",\"overdue\":" + std::to_string(f.overdue) +
                  ",\"on_time_rate_percent\":" + number_or_null(f.on_time_rate_percent) +
                  ",\"median_days_to_close\":" + number_or_null(f.median_days_to_close) + ",\"by_status\":{";
  bool first = true;
  for (const auto& s : statuses) {
    auto it = f.by_status.find(s);
    o += (first ? "" : ",") + quoted(s) + ":" + std::to_string(it == f.by_status.end() ? 0 : it->second);
    first = false;
  }
  return o + "}}";
}

template <class T, class F>
std::string array_of(const std::vector<T>& items, F each) {
  std::string o = "[";
  for (std::size_t i = 0; i < items.size(); ++i) o += (i ? "," : "") + each(items[i]);
  return o + "]";
}

}  // namespace

std::string render_json(const CaseReport& r) {
  const std::string& lang = r.request.lang;
  auto links = array_of(r.links, [&](const LinkSection& s) {
    return "{\"link\":" + quoted(s.link) + ",\"name\":" + quoted(label(lang, s.link)) +
           ",\"total\":" + figures_json(s.total, r.statuses) + ",\"jurisdictions\":" +
           array_of(s.rows, [&](const JurisdictionRow& j) {
             return "{\"member\":" + quoted(j.member) + ",\"name\":" + quoted(j.name) +
                    ",\"figures\":" + figures_json(j.figures, r.statuses) + "}";
           }) +
           "}";
  });
  auto trend = array_of(r.trend, [](const TrendPoint& p) {
    return "{\"date\":" + quoted(cases::format_date(p.day)) + ",\"opened\":" + std::to_string(p.opened) +
           ",\"closed\":" + std::to_string(p.closed) + "}";
  });
  auto alerts = array_of(r.alerts, [](const CountRow& c) {
    return "{\"member\":" + quoted(c.key) + ",\"name\":" + quoted(c.name) + ",\"alerts\":" + std::to_string(c.count) + "}";
  });
  auto incidents = array_of(r.incidents, [&](const CountRow& c) {
    return "{\"border_line\":" + (c.key.empty() ? std::string("null") : quoted(c.key)) +
           ",\"name\":" + quoted(label(lang, c.name)) + ",\"incidents\":" + std::to_string(c.count) + "}";
  });
  auto overdue = array_of(r.overdue, [](const OverdueRow& c) {
    return "{\"case_id\":" + quoted(c.case_id) + ",\"link\":" + quoted(c.link) + ",\"title\":" + quoted(c.title) +
           ",\"lead\":" + quoted(c.lead) + ",\"lead_name\":" + quoted(c.lead_name) + ",\"lead_unit\":" +
           quoted(c.lead_unit) + ",\"deadline\":" + quoted(cases::format_beijing(c.deadline_ms)) +
           ",\"days_overdue\":" + std::to_string(c.days_overdue) + "}";
  });
  return "{\"report\":\"cases\",\"from\":" + quoted(cases::format_date(r.request.from_day)) +
         ",\"to\":" + quoted(cases::format_date(r.request.to_day)) +
         ",\"generated_at\":" + quoted(cases::format_beijing(r.request.now_ms)) +
         ",\"lang\":" + quoted(lang) + ",\"scope\":" +
         (r.request.member.empty() ? std::string("null") : quoted(r.request.member)) +
         ",\"links\":" + links + ",\"overall\":" + figures_json(r.overall, r.statuses) +
         ",\"trend\":{\"bucket_days\":" + std::to_string(r.trend_bucket_days) + ",\"points\":" + trend +
         "},\"alerts_by_partner\":" + alerts + ",\"patrol_incidents\":" + incidents +
         ",\"overdue\":{\"total\":" + std::to_string(r.overdue_total) + ",\"cases\":" + overdue + "}}";
}

}  // namespace sixlink::reports
