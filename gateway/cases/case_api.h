// The partner API's case routes (DESIGN §4): GET /v1/cases, GET /v1/cases/{case_id} and
// GET /v1/reports/cases. A member sees only the cases it is party to; any other case
// answers 404, as if it did not exist. PartnerApi routes here; these never throw.
#pragma once

#include <cstdint>
#include <string>

#include "gateway/api/http_types.h"
#include "gateway/config/config.h"
#include "gateway/store/store.h"
#include "policies/policy.h"

namespace sixlink::cases {

// 409 {"error":{"code":"illegal_transition","message","field","state"}}: the contract
// error body with the case's current state added (absent when the sender is no party).
HttpResponse illegal_transition_response(const store::CaseRefusal& refusal);

HttpResponse list_cases(store::Store& store, const std::string& member, const Target& target,
                        int64_t now_ms);
HttpResponse get_case(store::Store& store, const Policy& policy, const std::string& member,
                      const std::string& case_id, int64_t now_ms);
// The joint-meeting report; its overdue list holds only `member`'s cases.
HttpResponse case_report(store::Store& store, const GatewayConfig& config,
                         const std::string& member, const Target& target, int64_t now_ms);

}  // namespace sixlink::cases
