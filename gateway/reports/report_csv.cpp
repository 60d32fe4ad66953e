// The case report as CSV (RFC 4180): UTF-8 with a byte-order mark (Excel then reads the
// Chinese labels correctly), CRLF line ends, every record the same number of fields.
// The sections follow one another, each with its own header record, separated by an
// empty record. A text cell starting with = + - @ gets a leading apostrophe, so a
// spreadsheet shows it instead of evaluating it.
#include <algorithm>

#include "gateway/cases/case_time.h"
#include "gateway/reports/case_report.h"
#include "gateway/reports/report_labels.h"

namespace sixlink::reports {
namespace {

using Record = std::vector<std::string>;

std::string text_cell(std::string s) {
  if (!s.empty() && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@')) s.insert(0, "'");
  return s;
}

std::string field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string status_key(const std::string& s) { return s == "closed" ? "closed_state" : s; }

Record figures_record(const std::string& link, const std::string& name, const std::string& id,
                      const Figures& f, const std::vector<std::string>& statuses) {
  Record r{link, text_cell(name), id, std::to_string(f.opened), std::to_string(f.closed),
           std::to_string(f.open_now), std::to_string(f.overdue), decimal(f.on_time_rate_percent),
           decimal(f.median_days_to_close)};
  for (const auto& s : statuses) {
    auto it = f.by_status.find(s);
    r.push_back(std::to_string(it == f.by_status.end() ? 0 : it->second));
  }
  return r;
}

}  // namespace

std::string render_csv(const CaseReport& rep) {
  const std::string& lang = rep.request.lang;
  auto L = [&](std::string_view key) { return label(lang, key); };
  std::vector<Record> records;
  records.push_back({L("title"), L("period"),
                     cases::format_date(rep.request.from_day) + "/" + cases::format_date(rep.request.to_day),
                     L("generated"), cases::format_beijing(rep.request.now_ms)});
  records.push_back({});
  Record header{L("link"), L("jurisdiction"), "id", L("opened"), L("closed"), L("open_now"),
                L("overdue"), L("on_time_rate"), L("median_days")};
  for (const auto& s : rep.statuses) header.push_back(L(status_key(s)));
  records.push_back(header);
  for (const auto& sec : rep.links) {
    for (const auto& row : sec.rows)
      records.push_back(figures_record(L(sec.link), row.name, row.member, row.figures, rep.statuses));
    records.push_back(figures_record(L(sec.link), L("total"), "", sec.total, rep.statuses));
  }
  records.push_back(figures_record(L("all_links"), L("total"), "", rep.overall, rep.statuses));
  records.push_back({});
  records.push_back({L("date"), L("opened"), L("closed")});
  for (const auto& p : rep.trend)
    records.push_back({cases::format_date(p.day), std::to_string(p.opened), std::to_string(p.closed)});
  records.push_back({});
  records.push_back({L("partner"), "id", L("alerts_count")});
  for (const auto& a : rep.alerts) records.push_back({text_cell(a.name), a.key, std::to_string(a.count)});
  records.push_back({});
  records.push_back({L("border_line"), "id", L("incidents_count")});
  for (const auto& i : rep.incidents) records.push_back({L(i.name), i.key, std::to_string(i.count)});
  records.push_back({});
  records.push_back({L("overdue_list"), std::to_string(rep.overdue_total)});
  records.push_back({L("case_id"), L("link"), L("case_title"), L("lead"), L("lead_unit"), L("deadline"),
                     L("days_overdue")});
  for (const auto& c : rep.overdue)
    records.push_back({text_cell(c.case_id), L(c.link), text_cell(c.title), text_cell(c.lead_name),
                       text_cell(c.lead_unit), cases::format_beijing(c.deadline_ms), std::to_string(c.days_overdue)});

  std::size_t width = 0;
  for (const auto& r : records) width = std::max(width, r.size());
  std::string out = "\xEF\xBB\xBF";
  for (auto& r : records) {
    r.resize(width);
    for (std::size_t i = 0; i < r.size(); ++i) out += (i ? "," : "") + field(r[i]);
    out += "\r\n";
  }
  return out;
}

}  // namespace sixlink::reports
