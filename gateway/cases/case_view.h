// How a case is shown to a member (GET /v1/cases, GET /v1/cases/{case_id}): the registry
// row, its parties and history, and the details of the opening message in the form the
// policy lets this member see (Policy::view_for: personal data masked below clearance).
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "gateway/store/store.h"
#include "policies/policy.h"

namespace sixlink::cases {

// Whole days (started) past the deadline at now_ms; 0 when not overdue.
int64_t days_overdue(const store::CaseRecord& record, int64_t now_ms);
bool is_overdue(const store::CaseRecord& record, int64_t now_ms);

boost::json::object case_summary(const store::CaseRecord& record, int64_t now_ms);
boost::json::object case_detail_view(const store::CaseDetail& detail, const std::string& member,
                                     const Policy& policy, int64_t now_ms);

}  // namespace sixlink::cases
