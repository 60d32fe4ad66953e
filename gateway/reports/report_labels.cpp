// Label tables of the case report. See report_labels.h.
#include "gateway/reports/report_labels.h"

#include <map>

namespace sixlink::reports {
namespace {

struct Entry {
  const char* key;
  const char* zh;
  const char* en;
};

constexpr Entry kLabels[] = {
    {"title", "会议联席 · 跨域联动案件报告", "Joint meeting · cross-border case report"},
    {"period", "统计期间", "Period"},
    {"generated", "生成时间", "Generated"},
    {"scope", "范围", "Scope"},
    {"scope_all", "全部案件（运维视图）", "All cases (operator view)"},
    {"joint_mediation", "矛盾联调", "Joint mediation"},
    {"joint_governance", "问题联治", "Joint governance"},
    {"all_links", "合计", "All links"},
    {"opened", "新立案件", "Opened"},
    {"closed", "结案", "Closed"},
    {"open_now", "在办", "Open now"},
    {"overdue", "逾期", "Overdue"},
    {"on_time_rate", "按期结案率(%)", "On-time closure (%)"},
    {"median_days", "结案中位天数", "Median days to close"},
    {"jurisdiction", "牵头辖区", "Lead jurisdiction"},
    {"link", "联动事项", "Link"},
    {"total", "合计", "Total"},
    {"by_link", "按联动事项与牵头辖区统计", "By link and lead jurisdiction"},
    {"by_status", "各辖区案件状态（当前）", "Cases by status per jurisdiction (now)"},
    {"trend", "立案与结案趋势", "Opened and closed over the period"},
    {"trend_day", "按日", "per day"},
    {"trend_week", "按周", "per week"},
    {"trend_bucket", "按期", "per bucket"},
    {"alerts", "信息联享：各方共享预警", "Information sharing: alerts shared per partner"},
    {"alerts_count", "预警数", "Alerts"},
    {"partner", "成员", "Partner"},
    {"incidents", "治安联防：各边界线巡防事件", "Joint patrol: incidents per border line"},
    {"incidents_count", "事件数", "Incidents"},
    {"border_line", "边界线", "Border line"},
    {"south_line", "南线（沪太交界）", "South line (Shanghai border)"},
    {"west_line", "西线（昆太交界）", "West line (Kunshan border)"},
    {"no_line", "未标注", "Not stated"},
    {"overdue_list", "逾期案件清单", "Overdue cases"},
    {"overdue_shown", "显示最逾期的", "showing the most overdue"},
    {"case_id", "案件编号", "Case"},
    {"case_title", "事项", "Title"},
    {"lead", "牵头方", "Lead"},
    {"lead_unit", "牵头单位", "Lead unit"},
    {"deadline", "处置时限", "Deadline"},
    {"days_overdue", "逾期天数", "Days overdue"},
    {"date", "日期", "Date"},
    {"none", "无", "none"},
    {"status", "状态", "Status"},
    {"open", "待受理", "Open"},
    {"accepted", "已受理", "Accepted"},
    {"in_progress", "处置中", "In progress"},
    {"resolved", "已化解", "Resolved"},
    {"rejected", "不予受理", "Rejected"},
    {"transferred", "已移交", "Transferred"},
    {"closed_state", "已结案", "Closed"},
};

const std::map<std::string_view, const Entry*>& table() {
  static const auto* t = [] {
    auto* m = new std::map<std::string_view, const Entry*>();
    for (const Entry& e : kLabels) (*m)[e.key] = &e;
    return m;
  }();
  return *t;
}

}  // namespace

std::string label(std::string_view lang, std::string_view key) {
  auto it = table().find(key);
  if (it == table().end()) return std::string(key);
  return lang == "en" ? it->second->en : it->second->zh;
}

}  // namespace sixlink::reports
