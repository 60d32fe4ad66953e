// Every metric of DESIGN §5 (contract names), declared once and created at start-up.
// Label values come from configuration (member ids, link ids) or fixed reason lists,
// never from request input; the request path only increments kept handles.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <atomic>
#include <map>
#include <mutex>
#include <string_view>
#include <memory>
#include <string>
#include <vector>

#include "gateway/config/config.h"

namespace sixlink {

// Fixed reasons of sixlink_messages_rejected_total.
enum class RejectReason {
  invalid, forbidden, policy_denied, no_route, too_large, unsupported_media_type,
  conflict, rate_limited, overloaded, store_error, illegal_transition, count_
};
// Fixed reasons of sixlink_tls_handshake_failures_total.
enum class TlsFailure { unknown_ca, no_certificate, unknown_member, revoked, expired, protocol, timeout, other, count_ };

const char* to_string(RejectReason);
const char* to_string(TlsFailure);

// One member's handles, created when the member is first configured and kept for the
// life of the process (a reload that removes the member leaves them, unchanged).
struct MemberMetrics {
  std::vector<prometheus::Counter*> received;            // by link_kind_index()
  std::vector<prometheus::Counter*> rejected;            // by RejectReason
  prometheus::Counter* delivered = nullptr;
  prometheus::Counter* retried = nullptr;
  prometheus::Counter* dead_lettered = nullptr;
  prometheus::Histogram* delivery_latency = nullptr;
  prometheus::Gauge* queue_depth = nullptr;
  prometheus::Gauge* deadletters = nullptr;
  prometheus::Gauge* up = nullptr;
  std::map<std::string, prometheus::Counter*, std::less<>> policy_denials;  // by fixed rule id
  // notAfter (epoch seconds) of the client certificate this member last connected with; 0 = none yet.
  std::atomic<int64_t> client_cert_not_after{0};

  void count_received(std::string_view link, std::string_view kind);
  void count_rejected(RejectReason r) { rejected[static_cast<int>(r)]->Increment(); }
  void count_denial(std::string_view rule);
};

// Position of (link, kind) in the fixed list of DESIGN §1; -1 for a pair not in it.
int link_kind_index(std::string_view link, std::string_view kind);

class GatewayMetrics {
 public:
  explicit GatewayMetrics(const GatewayConfig& config);
  ~GatewayMetrics();

  // Creates the handles of members not seen before (start-up and reload; never on a request).
  void add_members(const GatewayConfig& config);
  // nullptr for an id that was never a configured member. Lock-free lookup, no allocation.
  MemberMetrics* member(std::string_view id) const;
  void tls_failure(TlsFailure f) { tls_failures_[static_cast<int>(f)]->Increment(); }
  prometheus::Gauge& connections_partner() { return *connections_partner_; }
  prometheus::Gauge& connections_admin() { return *connections_admin_; }
  prometheus::Histogram& ingest_latency() { return *ingest_latency_; }
  prometheus::Histogram& store_commit() { return *store_commit_; }
  // Seconds until notAfter of a certificate, under `subject` (from configuration).
  void set_certificate_expiry(const std::string& subject, double seconds);
  // A member authenticated with a certificate valid until `not_after` (epoch seconds).
  void saw_client_certificate(std::string_view member, int64_t not_after);
  // Sets sixlink_certificate_expiry_seconds{subject="member:<id>"} from the last-seen
  // client certificate of every member that has connected (called at scrape time).
  void refresh_member_certificates();

  // sixlink_cases_overdue{link,lead}: open cases past their deadline (gateway/cases/;
  // set at scrape time for each case link and configured member).
  void set_cases_overdue(const std::string& link, const std::string& lead, double count);

  // The Prometheus text exposition of everything above, plus the process_* metrics.
  std::string serialize() const;

 private:
  using Index = std::map<std::string, MemberMetrics*, std::less<>>;
  std::shared_ptr<prometheus::Registry> registry_;
  std::mutex add_mu_;  // add_members and set_certificate_expiry
  std::vector<std::unique_ptr<MemberMetrics>> owned_;
  std::atomic<std::shared_ptr<const Index>> index_;
  prometheus::Family<prometheus::Counter>* received_;
  prometheus::Family<prometheus::Counter>* rejected_;
  prometheus::Family<prometheus::Counter>* deliveries_;
  prometheus::Family<prometheus::Histogram>* delivery_latency_;
  prometheus::Family<prometheus::Gauge>* queue_depth_;
  prometheus::Family<prometheus::Gauge>* deadletters_;
  prometheus::Family<prometheus::Gauge>* up_;
  prometheus::Family<prometheus::Counter>* denials_;
  std::vector<prometheus::Counter*> tls_failures_;
  prometheus::Gauge* connections_partner_;
  prometheus::Gauge* connections_admin_;
  prometheus::Histogram* ingest_latency_;
  prometheus::Histogram* store_commit_;
  prometheus::Family<prometheus::Gauge>* cert_expiry_;
  std::map<std::string, prometheus::Gauge*> cert_expiry_by_subject_;
  prometheus::Family<prometheus::Gauge>* cases_overdue_ = nullptr;
  std::map<std::pair<std::string, std::string>, prometheus::Gauge*> cases_overdue_by_key_;
  std::shared_ptr<prometheus::Collectable> process_;
};

}  // namespace sixlink
