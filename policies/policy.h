// The policy seam (DESIGN §7): may this member send this message, who receives it,
// and what each recipient may see. Implementations are immutable once loaded; a reload
// builds a new one and swaps it in atomically.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/core/api_error.h"
#include "gateway/core/envelope.h"

namespace sixlink {

struct PolicyDecision {
  std::optional<ApiError> denial;       // 403 policy_denied (with rule) or 422 no_route
  std::string metric_rule;              // fixed rule id for sixlink_policy_denials_total
  std::vector<std::string> recipients;  // when admitted: member ids, never the source
};

class Policy {
 public:
  virtual ~Policy() = default;
  // Decides on an envelope whose source is already authenticated. Never throws.
  virtual PolicyDecision admit(const Envelope& envelope) const = 0;
  // The form of `envelope` that `recipient` may see (redaction hook).
  virtual Envelope view_for(const Envelope& envelope, const std::string& recipient) const = 0;
};

// Fixed rule ids (metric label values).
inline constexpr const char* kRuleSend = "send_permission";
inline constexpr const char* kRuleReceive = "receive_permission";
inline constexpr const char* kRuleNoRoute = "no_route";
inline constexpr const char* kRuleUnknownRecipient = "unknown_recipient";

struct PolicyLoadResult {
  std::shared_ptr<const Policy> policy;  // set only when errors is empty
  std::vector<ConfigError> errors;
};

// Loads the policy file named by config.policies, checked against the configured members.
PolicyLoadResult load_policy(const GatewayConfig& config);

}  // namespace sixlink
