// The case report as one self-contained HTML page for the meeting-room screen: inline
// CSS (with @media print for paper), inline SVG charts (cases by status per
// jurisdiction as stacked bars; opened and closed over the period as lines), no script,
// no external asset. Every text is escaped. Each figure carries data-metric="…" so a
// test (or a screen reader of the numbers) can match it to the JSON report.
#include <algorithm>
#include <map>

#include "gateway/cases/case_time.h"
#include "gateway/reports/case_report.h"
#include "gateway/reports/report_labels.h"

namespace sixlink::reports {
namespace {

std::string esc(std::string_view s) {
  std::string o;
  o.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string status_key(const std::string& s) { return s == "closed" ? "closed_state" : s; }

const char* status_colour(const std::string& s) {
  static const std::map<std::string, const char*> kColours = {
      {"open", "#f0ad4e"},     {"accepted", "#5bc0de"}, {"in_progress", "#337ab7"},
      {"resolved", "#5cb85c"}, {"transferred", "#9b59b6"}, {"rejected", "#999999"},
      {"closed", "#2e7d32"}};
  auto it = kColours.find(s);
  return it == kColours.end() ? "#666" : it->second;
}

std::string metric(const std::string& name, const std::string& text) {
  return "<td class=\"num\" data-metric=\"" + esc(name) + "\">" + esc(text) + "</td>";
}

std::string or_dash(const std::optional<double>& v) { return v ? decimal(v) : "—"; }

std::string figures_cells(const std::string& prefix, const Figures& f) {
  return metric(prefix + ".opened", std::to_string(f.opened)) + metric(prefix + ".closed", std::to_string(f.closed)) +
         metric(prefix + ".open_now", std::to_string(f.open_now)) +
         metric(prefix + ".overdue", std::to_string(f.overdue)) +
         metric(prefix + ".on_time_rate_percent", or_dash(f.on_time_rate_percent)) +
         metric(prefix + ".median_days_to_close", or_dash(f.median_days_to_close));
}

const char* kStyle = R"css(
*{box-sizing:border-box}
body{font-family:"WenQuanYi Zen Hei","Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:28px 0 8px;border-left:6px solid #b71c1c;padding-left:8px}
.meta{color:#555;font-size:14px}
table{border-collapse:collapse;width:100%;font-size:14px;margin:6px 0}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left}
th{background:#f3f3f3}
td.num{text-align:right;font-variant-numeric:tabular-nums}
tr.total td{font-weight:bold;background:#fafafa}
.overdue td.num{color:#b71c1c;font-weight:bold}
.charts{display:flex;flex-wrap:wrap;gap:24px}
.chart{flex:1 1 560px}
svg text{font-size:12px;fill:#333}
@media print{
  body{margin:10mm;font-size:11pt}
  h2{break-after:avoid}
  table,svg,.chart{break-inside:avoid}
  th{background:#eee!important;-webkit-print-color-adjust:exact;print-color-adjust:exact}
  rect,polyline,circle{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
)css";

// Stacked bars: one bar per jurisdiction, one segment per state, both case links summed.
std::string status_chart(const CaseReport& r) {
  const std::string& lang = r.request.lang;
  std::vector<std::pair<std::string, std::map<std::string, int64_t>>> bars;
  for (const auto& row : r.links.front().rows) bars.push_back({row.name, {}});
  for (const auto& sec : r.links)
    for (std::size_t i = 0; i < sec.rows.size(); ++i) {
      if (i >= bars.size()) bars.push_back({sec.rows[i].name, {}});
      for (const auto& [s, n] : sec.rows[i].figures.by_status) bars[i].second[s] += n;
    }
  int64_t max = 1;
  for (const auto& b : bars) {
    int64_t sum = 0;
    for (const auto& [s, n] : b.second) sum += n;
    max = std::max(max, sum);
  }
  const int width = 640, height = 300, left = 50, bottom = 40, top = 20;
  const int plot_h = height - bottom - top;
  const int slot = (width - left - 150) / std::max<int>(1, static_cast<int>(bars.size()));
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) + "\" height=\"" +
                    std::to_string(height) + "\" role=\"img\" aria-label=\"" + esc(label(lang, "by_status")) + "\">";
  svg += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(top + plot_h) + "\" x2=\"" +
         std::to_string(width - 150) + "\" y2=\"" + std::to_string(top + plot_h) + "\" stroke=\"#333\"/>";
  svg += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" + std::to_string(top + 10) + "\" text-anchor=\"end\">" +
         std::to_string(max) + "</text><text x=\"" + std::to_string(left - 6) + "\" y=\"" +
         std::to_string(top + plot_h) + "\" text-anchor=\"end\">0</text>";
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const int x = left + static_cast<int>(i) * slot + slot / 5;
    const int w = slot * 3 / 5;
    double y = top + plot_h;
    for (const auto& s : r.statuses) {
      auto it = bars[i].second.find(s);
      if (it == bars[i].second.end() || it->second == 0) continue;
      double h = static_cast<double>(plot_h) * static_cast<double>(it->second) / static_cast<double>(max);
      y -= h;
      svg += "<rect x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) + "\" width=\"" + std::to_string(w) +
             "\" height=\"" + std::to_string(h) + "\" fill=\"" + status_colour(s) + "\"><title>" +
             esc(bars[i].first + " · " + label(lang, status_key(s)) + ": " + std::to_string(it->second)) +
             "</title></rect>";
    }
    svg += "<text x=\"" + std::to_string(x + w / 2) + "\" y=\"" + std::to_string(top + plot_h + 18) +
           "\" text-anchor=\"middle\">" + esc(bars[i].first) + "</text>";
  }
  int ly = top;
  for (const auto& s : r.statuses) {
    svg += "<rect x=\"" + std::to_string(width - 140) + "\" y=\"" + std::to_string(ly) +
           "\" width=\"12\" height=\"12\" fill=\"" + status_colour(s) + "\"/><text x=\"" +
           std::to_string(width - 122) + "\" y=\"" + std::to_string(ly + 11) + "\">" + esc(label(lang, status_key(s))) +
           "</text>";
    ly += 20;
  }
  return svg + "</svg>";
}

// Opened and closed per bucket of the period, as two lines.
std::string trend_chart(const CaseReport& r) {
  const std::string& lang = r.request.lang;
  const int width = 640, height = 300, left = 50, right = 20, top = 20, bottom = 50;
  const int plot_w = width - left - right, plot_h = height - top - bottom;
  int64_t max = 1;
  for (const auto& p : r.trend) max = std::max({max, p.opened, p.closed});
  const std::size_t n = r.trend.size();
  auto x_of = [&](std::size_t i) { return left + (n <= 1 ? plot_w / 2.0 : plot_w * static_cast<double>(i) / static_cast<double>(n - 1)); };
  auto y_of = [&](int64_t v) { return top + plot_h - plot_h * static_cast<double>(v) / static_cast<double>(max); };
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + std::to_string(width) + "\" height=\"" +
                    std::to_string(height) + "\" role=\"img\" aria-label=\"" + esc(label(lang, "trend")) + "\">";
  svg += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(top + plot_h) + "\" x2=\"" +
         std::to_string(left + plot_w) + "\" y2=\"" + std::to_string(top + plot_h) + "\" stroke=\"#333\"/>";
  svg += "<line x1=\"" + std::to_string(left) + "\" y1=\"" + std::to_string(top) + "\" x2=\"" + std::to_string(left) +
         "\" y2=\"" + std::to_string(top + plot_h) + "\" stroke=\"#333\"/>";
  svg += "<text x=\"" + std::to_string(left - 6) + "\" y=\"" + std::to_string(top + 10) + "\" text-anchor=\"end\">" +
         std::to_string(max) + "</text>";
  for (auto [what, colour] : {std::pair{"opened", "#f0ad4e"}, std::pair{"closed", "#2e7d32"}}) {
    std::string points;
    for (std::size_t i = 0; i < n; ++i) {
      int64_t v = std::string_view(what) == "opened" ? r.trend[i].opened : r.trend[i].closed;
      points += std::to_string(x_of(i)) + "," + std::to_string(y_of(v)) + " ";
    }
    svg += "<polyline fill=\"none\" stroke=\"" + std::string(colour) + "\" stroke-width=\"2.5\" points=\"" + points + "\"/>";
  }
  const std::size_t step = std::max<std::size_t>(1, n / 6);
  for (std::size_t i = 0; i < n; i += step)
    svg += "<text x=\"" + std::to_string(x_of(i)) + "\" y=\"" + std::to_string(top + plot_h + 18) +
           "\" text-anchor=\"middle\">" + esc(cases::format_date(r.trend[i].day).substr(5)) + "</text>";
  svg += "<rect x=\"" + std::to_string(left + 10) + "\" y=\"" + std::to_string(height - 20) +
         "\" width=\"12\" height=\"12\" fill=\"#f0ad4e\"/><text x=\"" + std::to_string(left + 28) + "\" y=\"" +
         std::to_string(height - 9) + "\">" + esc(label(lang, "opened")) + "</text>";
  svg += "<rect x=\"" + std::to_string(left + 130) + "\" y=\"" + std::to_string(height - 20) +
         "\" width=\"12\" height=\"12\" fill=\"#2e7d32\"/><text x=\"" + std::to_string(left + 148) + "\" y=\"" +
         std::to_string(height - 9) + "\">" + esc(label(lang, "closed")) + "</text>";
  return svg + "</svg>";
}

std::string link_table(const CaseReport& r) {
  const std::string& lang = r.request.lang;
  auto L = [&](std::string_view k) { return esc(label(lang, k)); };
  std::string t = "<table><thead><tr><th>" + L("link") + "</th><th>" + L("jurisdiction") + "</th><th>" +
                  L("opened") + "</th><th>" + L("closed") + "</th><th>" + L("open_now") + "</th><th>" +
                  L("overdue") + "</th><th>" + L("on_time_rate") + "</th><th>" + L("median_days") +
                  "</th></tr></thead><tbody>";
  for (const auto& sec : r.links) {
    for (const auto& row : sec.rows)
      t += "<tr><td>" + L(sec.link) + "</td><td>" + esc(row.name) + "</td>" +
           figures_cells(sec.link + "." + row.member, row.figures) + "</tr>";
    t += "<tr class=\"total\"><td>" + L(sec.link) + "</td><td>" + L("total") + "</td>" +
         figures_cells(sec.link + ".total", sec.total) + "</tr>";
  }
  t += "<tr class=\"total\"><td>" + L("all_links") + "</td><td>" + L("total") + "</td>" +
       figures_cells("overall", r.overall) + "</tr>";
  return t + "</tbody></table>";
}

std::string count_table(const std::string& lang, const char* head, const char* count_head,
                        const std::vector<CountRow>& rows, const char* prefix, bool name_is_label) {
  std::string t = "<table><thead><tr><th>" + esc(label(lang, head)) + "</th><th>" + esc(label(lang, count_head)) +
                  "</th></tr></thead><tbody>";
  for (const auto& c : rows)
    t += "<tr><td>" + esc(name_is_label ? label(lang, c.name) : c.name) + "</td>" +
         metric(std::string(prefix) + "." + (c.key.empty() ? "none" : c.key), std::to_string(c.count)) + "</tr>";
  return t + "</tbody></table>";
}

std::string overdue_table(const CaseReport& r) {
  const std::string& lang = r.request.lang;
  auto L = [&](std::string_view k) { return esc(label(lang, k)); };
  std::string t = "<p class=\"meta\">" + L("overdue") + ": <strong data-metric=\"overdue.total\">" +
                  std::to_string(r.overdue_total) + "</strong>";
  if (static_cast<int64_t>(r.overdue.size()) < r.overdue_total)
    t += " (" + L("overdue_shown") + " " + std::to_string(r.overdue.size()) + ")";
  t += "</p><table class=\"overdue\"><thead><tr><th>" + L("case_id") + "</th><th>" + L("link") + "</th><th>" +
       L("case_title") + "</th><th>" + L("lead") + "</th><th>" + L("lead_unit") + "</th><th>" + L("deadline") +
       "</th><th>" + L("days_overdue") + "</th></tr></thead><tbody>";
  for (const auto& c : r.overdue)
    t += "<tr><td>" + esc(c.case_id) + "</td><td>" + L(c.link) + "</td><td>" + esc(c.title) + "</td><td>" +
         esc(c.lead_name) + "</td><td>" + esc(c.lead_unit) + "</td><td>" +
         esc(cases::format_beijing(c.deadline_ms).substr(0, 16)) + "</td>" +
         metric("overdue." + c.case_id + ".days", std::to_string(c.days_overdue)) + "</tr>";
  return t + "</tbody></table>";
}

}  // namespace

std::string render_html(const CaseReport& r) {
  const std::string& lang = r.request.lang;
  auto L = [&](std::string_view k) { return esc(label(lang, k)); };
  const char* bucket = r.trend_bucket_days == 1 ? "trend_day" : r.trend_bucket_days == 7 ? "trend_week" : "trend_bucket";
  std::string period = cases::format_date(r.request.from_day) + " — " + cases::format_date(r.request.to_day);
  std::string scope = r.request.member.empty() ? label(lang, "scope_all") : r.request.member;
  std::string h = "<!DOCTYPE html>\n<html lang=\"" + std::string(lang == "en" ? "en" : "zh-CN") +
                  "\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">"
                  "<title>" + L("title") + " " + esc(period) + "</title><style>" + kStyle + "</style></head><body>";
  h += "<h1>" + L("title") + "</h1><p class=\"meta\">" + L("period") + ": <span data-metric=\"period\">" +
       esc(period) + "</span> · " + L("generated") + ": " + esc(cases::format_beijing(r.request.now_ms)) + " · " +
       L("scope") + ": " + esc(scope) + "</p>";
  h += "<h2>" + L("by_link") + "</h2>" + link_table(r);
  h += "<div class=\"charts\"><div class=\"chart\"><h2>" + L("by_status") + "</h2>" + status_chart(r) +
       "</div><div class=\"chart\"><h2>" + L("trend") + " (" + L(bucket) + ")</h2>" + trend_chart(r) + "</div></div>";
  h += "<h2>" + L("alerts") + "</h2>" + count_table(lang, "partner", "alerts_count", r.alerts, "alerts", false);
  h += "<h2>" + L("incidents") + "</h2>" +
       count_table(lang, "border_line", "incidents_count", r.incidents, "incidents", true);
  h += "<h2>" + L("overdue_list") + "</h2>" + overdue_table(r);
  return h + "</body></html>\n";
}

}  // namespace sixlink::reports
