// The joint-meeting case report (会议联席; DESIGN §4 GET /v1/reports/cases and the CLI
// `sixlink-gateway report cases`): the store's aggregates (store::CaseReportData) turned
// into one model, CaseReport, with every number computed once, then rendered as JSON,
// CSV or a self-contained HTML page, so the three formats always agree.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/core/api_error.h"
#include "gateway/store/store.h"

namespace sixlink::reports {

struct ReportRequest {
  int64_t from_day = 0, to_day = 0;  // Beijing calendar days, inclusive
  std::string format = "json";       // json | csv | html
  std::string lang = "zh";           // zh | en
  std::string member;                // the overdue list is this member's cases; empty = all
  int64_t now_ms = 0;
};

// Reads from/to (YYYY-MM-DD; default: the 30 days up to today), format and lang.
using ParamLookup = std::function<const std::string*(std::string_view name)>;
std::optional<ApiError> parse_report_request(const ParamLookup& param, int64_t now_ms,
                                             ReportRequest* out);

struct Figures {
  int64_t opened = 0, closed = 0, open_now = 0, overdue = 0;
  std::optional<double> on_time_rate_percent = {};  // one decimal; none without deadlines
  std::optional<double> median_days_to_close = {};  // one decimal; none without closings
  std::map<std::string, int64_t> by_status = {};
};

struct JurisdictionRow {
  std::string member, name;
  Figures figures;
};

struct LinkSection {
  std::string link;
  Figures total;
  std::vector<JurisdictionRow> rows;  // every configured member, then any other lead
};

struct TrendPoint {
  int64_t day = 0;  // first day of the bucket
  int64_t opened = 0, closed = 0;
};

struct CountRow {
  std::string key, name;
  int64_t count = 0;
};

struct OverdueRow {
  std::string case_id, link, title, lead, lead_name, lead_unit;
  int64_t deadline_ms = 0;
  int64_t days_overdue = 0;
};

struct CaseReport {
  ReportRequest request;
  std::vector<LinkSection> links;  // joint_mediation, joint_governance
  Figures overall;
  std::vector<std::string> statuses;  // the case states, in state-machine order
  int trend_bucket_days = 1;          // 1 up to 62 days, 7 up to two years, then longer
  std::vector<TrendPoint> trend;      // every bucket of the period
  std::vector<CountRow> alerts;       // per configured member (alerts it shared)
  std::vector<CountRow> incidents;    // per border line
  int64_t overdue_total = 0;
  std::vector<OverdueRow> overdue;    // most overdue first
};

CaseReport make_report(const store::CaseReportData& data, const GatewayConfig& config,
                       const ReportRequest& request);

std::string render_json(const CaseReport& report);
std::string render_csv(const CaseReport& report);
std::string render_html(const CaseReport& report);

// One decimal, as every format prints it ("75.0"); "" for none.
std::string decimal(const std::optional<double>& value);

struct RenderedReport {
  std::string content_type;
  std::string body;
};
// Reads the store, builds the model, renders request.format.
RenderedReport build_case_report(store::Store& store, const GatewayConfig& config,
                                 const ReportRequest& request);

}  // namespace sixlink::reports
