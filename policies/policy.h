// The policy seam (DESIGN §7): may this member send this message, who receives it, what
// each recipient may see, and how much a member may send. Implementations are immutable
// once loaded; a reload builds a new one and swaps it in atomically.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/config.h"
#include "gateway/core/api_error.h"
#include "gateway/core/envelope.h"

namespace sixlink {

// What a recipient's view of a message hides, and which rule said so (audited).
struct Redaction {
  std::string rule;
  std::vector<std::string> fields;  // concrete paths, e.g. "body.parties[0].id_number"
};

struct RecipientView {
  std::string member;
  std::optional<Envelope> redacted;  // set when this recipient sees a redacted form
  std::vector<Redaction> redactions;
};

struct PolicyDecision {
  std::optional<ApiError> denial;  // 403 policy_denied (with rule), 422 no_route, 400, 413
  std::string metric_rule;         // fixed rule id for sixlink_policy_denials_total
  std::vector<RecipientView> recipients;  // when admitted: never the source
};

// Token bucket parameters of one member; rate 0 = unlimited.
struct RateLimit {
  double per_second = 0;
  double burst = 0;
};

class Policy {
 public:
  virtual ~Policy() = default;
  // Decides on an envelope whose source is already authenticated: permissions, routing
  // (or the check of explicit recipients), per-kind size, and each recipient's view.
  // `body_bytes` is the size of the request as the member sent it. Never throws.
  virtual PolicyDecision admit(const Envelope& envelope, std::size_t body_bytes) const = 0;
  // The form of `envelope` that `recipient` may see, and what was hidden.
  virtual RecipientView view_for(const Envelope& envelope, const std::string& recipient) const = 0;
  virtual RateLimit rate_limit(const std::string& member) const = 0;
};

// Fixed rule ids (metric label values).
inline constexpr const char* kRuleSend = "send_permission";
inline constexpr const char* kRuleReceive = "receive_permission";
inline constexpr const char* kRuleNoRoute = "no_route";
inline constexpr const char* kRuleUnknownRecipient = "unknown_recipient";
inline constexpr const char* kRuleRateLimit = "rate_limit";
inline constexpr const char* kRuleSizeLimit = "size_limit";
inline constexpr const char* kAllRules[] = {kRuleSend,   kRuleReceive,   kRuleNoRoute,
                                            kRuleUnknownRecipient, kRuleRateLimit, kRuleSizeLimit};

struct PolicyLoadResult {
  std::shared_ptr<const Policy> policy;  // set only when errors is empty
  std::vector<ConfigError> errors;
};

// Loads the policy file named by config.policies, checked against the configured members.
PolicyLoadResult load_policy(const GatewayConfig& config);

}  // namespace sixlink
