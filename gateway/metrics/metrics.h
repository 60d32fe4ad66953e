// Every metric of DESIGN §5 (contract names), declared once and created at start-up.
// Label values come from configuration (member ids, link ids) or fixed reason lists,
// never from request input; the request path only increments kept handles.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gateway/config/config.h"

namespace sixlink {

// Fixed reasons of sixlink_messages_rejected_total.
enum class RejectReason {
  invalid, forbidden, policy_denied, no_route, too_large, unsupported_media_type,
  conflict, rate_limited, overloaded, store_error, count_
};
// Fixed reasons of sixlink_tls_handshake_failures_total.
enum class TlsFailure { unknown_ca, no_certificate, unknown_member, revoked, expired, protocol, timeout, other, count_ };

const char* to_string(RejectReason);
const char* to_string(TlsFailure);

struct MemberMetrics {
  std::map<std::string, prometheus::Counter*> received;  // key "link/kind"
  std::vector<prometheus::Counter*> rejected;            // by RejectReason
  prometheus::Counter* delivered = nullptr;
  prometheus::Counter* retried = nullptr;
  prometheus::Counter* dead_lettered = nullptr;
  prometheus::Histogram* delivery_latency = nullptr;
  prometheus::Gauge* queue_depth = nullptr;
  prometheus::Gauge* deadletters = nullptr;
  prometheus::Gauge* up = nullptr;
  std::map<std::string, prometheus::Counter*> policy_denials;  // by fixed rule id

  void count_received(const std::string& link, const std::string& kind);
  void count_rejected(RejectReason r) { rejected[static_cast<int>(r)]->Increment(); }
};

class GatewayMetrics {
 public:
  explicit GatewayMetrics(const GatewayConfig& config);

  // nullptr for an id that is not a configured member.
  MemberMetrics* member(const std::string& id);
  void tls_failure(TlsFailure f) { tls_failures_[static_cast<int>(f)]->Increment(); }
  prometheus::Gauge& connections_partner() { return *connections_partner_; }
  prometheus::Gauge& connections_admin() { return *connections_admin_; }
  prometheus::Histogram& ingest_latency() { return *ingest_latency_; }
  prometheus::Histogram& store_commit() { return *store_commit_; }
  // Seconds until notAfter of a PEM certificate file, under `subject` (from configuration).
  void set_certificate_expiry(const std::string& subject, double seconds);

  // The Prometheus text exposition of everything above.
  std::string serialize() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::map<std::string, MemberMetrics> members_;
  std::vector<prometheus::Counter*> tls_failures_;
  prometheus::Gauge* connections_partner_;
  prometheus::Gauge* connections_admin_;
  prometheus::Histogram* ingest_latency_;
  prometheus::Histogram* store_commit_;
  prometheus::Family<prometheus::Gauge>* cert_expiry_;
  std::map<std::string, prometheus::Gauge*> cert_expiry_by_subject_;
};

}  // namespace sixlink
