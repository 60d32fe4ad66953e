// Case routes of the partner API. See case_api.h.
#include "gateway/cases/case_api.h"

#include <boost/json.hpp>

#include <charconv>

#include "gateway/cases/case_event.h"
#include "gateway/cases/case_view.h"
#include "gateway/core/body_rules.h"
#include "gateway/reports/case_report.h"

namespace sixlink::cases {
namespace json = boost::json;

namespace {

ApiError no_case(const std::string& id) {
  return ApiError{404, "not_found", "no case " + id + " that this member is party to", {}, {}, 0};
}

std::optional<int> parse_limit(const std::string* text) {
  if (!text) return 100;
  int v = 0;
  auto [p, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || p != text->data() + text->size() || v < 1 || v > 1000) return std::nullopt;
  return v;
}

}  // namespace

HttpResponse illegal_transition_response(const store::CaseRefusal& refusal) {
  json::object error{{"code", "illegal_transition"}, {"message", refusal.message}};
  if (!refusal.field.empty()) error["field"] = refusal.field;
  if (!refusal.state.empty()) error["state"] = refusal.state;
  return json_response(409, json::serialize(json::object{{"error", std::move(error)}}));
}

HttpResponse list_cases(store::Store& store, const std::string& member, const Target& target,
                        int64_t now_ms) {
  store::CaseListQuery q;
  q.member = member;
  q.now_ms = now_ms;
  if (const std::string* o = target.param("overdue")) {
    if (*o != "true" && *o != "false") return error_response(invalid_field("overdue", "overdue is true or false"));
    q.overdue_only = *o == "true";
  }
  if (const std::string* l = target.param("link")) {
    if (!is_case_link(*l))
      return error_response(invalid_field("link", "link is joint_mediation or joint_governance"));
    q.link = *l;
  }
  if (const std::string* s = target.param("status")) {
    if (!is_case_state(*s)) return error_response(invalid_field("status", "status is a case state"));
    q.status = *s;
  }
  if (const std::string* a = target.param("after")) q.after = *a;
  auto limit = parse_limit(target.param("limit"));
  if (!limit) return error_response(invalid_field("limit", "limit must be 1..1000"));
  q.limit = *limit;
  std::vector<store::CaseRecord> rows = store.cases(q);
  json::array out;
  for (const auto& r : rows) out.push_back(case_summary(r, now_ms));
  json::object body{{"cases", std::move(out)}};
  if (static_cast<int>(rows.size()) == q.limit) body["next"] = rows.back().case_id;
  return json_response(200, json::serialize(body));
}

HttpResponse get_case(store::Store& store, const Policy& policy, const std::string& member,
                      const std::string& case_id, int64_t now_ms) {
  if (case_id.empty() || case_id.size() > 128) return error_response(no_case(case_id.substr(0, 128)));
  if (!store.is_case_party(case_id, member)) return error_response(no_case(case_id));
  auto detail = store.case_detail(case_id);
  if (!detail) return error_response(no_case(case_id));
  return json_response(200, json::serialize(case_detail_view(*detail, member, policy, now_ms)));
}

HttpResponse case_report(store::Store& store, const GatewayConfig& config,
                         const std::string& member, const Target& target, int64_t now_ms) {
  reports::ReportRequest request;
  if (auto err = reports::parse_report_request(
          [&](std::string_view name) { return target.param(name); }, now_ms, &request))
    return error_response(*err);
  request.member = member;
  reports::RenderedReport report = reports::build_case_report(store, config, request);
  HttpResponse r = json_response(200, std::move(report.body));
  r.content_type = report.content_type;
  return r;
}

}  // namespace sixlink::cases
