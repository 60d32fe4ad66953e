#include "gateway/metrics/metrics.h"

#include <prometheus/text_serializer.h>

#include "gateway/core/envelope.h"
#include "policies/policy.h"

namespace sixlink {

namespace pm = prometheus;

const char* to_string(RejectReason r) {
  static const char* names[] = {"invalid",    "forbidden",        "policy_denied",
                                "no_route",   "too_large",        "unsupported_media_type",
                                "conflict",   "rate_limited",     "overloaded",
                                "store_error"};
  return names[static_cast<int>(r)];
}

const char* to_string(TlsFailure f) {
  static const char* names[] = {"unknown_ca", "no_certificate", "unknown_member", "revoked",
                                "expired",    "protocol",       "timeout",        "other"};
  return names[static_cast<int>(f)];
}

void MemberMetrics::count_received(const std::string& link, const std::string& kind) {
  auto it = received.find(link + "/" + kind);
  if (it != received.end()) it->second->Increment();
}

namespace {

pm::Histogram::BucketBoundaries seconds_buckets(std::initializer_list<double> b) { return b; }

}  // namespace

GatewayMetrics::GatewayMetrics(const GatewayConfig& config)
    : registry_(std::make_shared<pm::Registry>()) {
  auto& received = pm::BuildCounter().Name("sixlink_messages_received_total")
                       .Help("Messages accepted from a member, by link and kind").Register(*registry_);
  auto& rejected = pm::BuildCounter().Name("sixlink_messages_rejected_total")
                       .Help("Messages refused, by member and fixed reason").Register(*registry_);
  auto& deliveries = pm::BuildCounter().Name("sixlink_deliveries_total")
                         .Help("Delivery attempts by outcome").Register(*registry_);
  auto& latency = pm::BuildHistogram().Name("sixlink_delivery_latency_seconds")
                      .Help("Accept to delivered, per recipient").Register(*registry_);
  auto& depth = pm::BuildGauge().Name("sixlink_queue_depth")
                    .Help("Deliveries not yet final, per recipient").Register(*registry_);
  auto& dead = pm::BuildGauge().Name("sixlink_deadletters")
                   .Help("Dead-lettered deliveries, per recipient").Register(*registry_);
  auto& up = pm::BuildGauge().Name("sixlink_member_up")
                 .Help("1 while the member's circuit is closed").Register(*registry_);
  auto& denials = pm::BuildCounter().Name("sixlink_policy_denials_total")
                      .Help("Policy denials by member and rule").Register(*registry_);
  const auto delivery_buckets =
      seconds_buckets({0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300});
  for (const auto& m : config.members) {
    MemberMetrics& mm = members_[m.id];
    for (const auto& link : link_ids())
      for (const auto& kind : kinds_of(link))
        mm.received[link + "/" + std::string(kind)] =
            &received.Add({{"member", m.id}, {"link", link}, {"kind", std::string(kind)}});
    for (int r = 0; r < static_cast<int>(RejectReason::count_); ++r)
      mm.rejected.push_back(
          &rejected.Add({{"member", m.id}, {"reason", to_string(static_cast<RejectReason>(r))}}));
    mm.delivered = &deliveries.Add({{"member", m.id}, {"outcome", "delivered"}});
    mm.retried = &deliveries.Add({{"member", m.id}, {"outcome", "retried"}});
    mm.dead_lettered = &deliveries.Add({{"member", m.id}, {"outcome", "dead_lettered"}});
    mm.delivery_latency = &latency.Add({{"member", m.id}}, delivery_buckets);
    mm.queue_depth = &depth.Add({{"member", m.id}});
    mm.deadletters = &dead.Add({{"member", m.id}});
    mm.up = &up.Add({{"member", m.id}});
    mm.up->Set(1);
    for (const char* rule : kAllRules)
      mm.policy_denials[rule] = &denials.Add({{"member", m.id}, {"rule", rule}});
  }
  auto& tls = pm::BuildCounter().Name("sixlink_tls_handshake_failures_total")
                  .Help("Refused TLS handshakes by fixed reason").Register(*registry_);
  for (int f = 0; f < static_cast<int>(TlsFailure::count_); ++f)
    tls_failures_.push_back(&tls.Add({{"reason", to_string(static_cast<TlsFailure>(f))}}));
  auto& conns = pm::BuildGauge().Name("sixlink_connections_active")
                    .Help("Open connections per listener").Register(*registry_);
  connections_partner_ = &conns.Add({{"listener", "partner"}});
  connections_admin_ = &conns.Add({{"listener", "admin"}});
  ingest_latency_ = &pm::BuildHistogram().Name("sixlink_ingest_latency_seconds")
                         .Help("Request read to 202").Register(*registry_)
                         .Add({}, seconds_buckets({0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}));
  store_commit_ = &pm::BuildHistogram().Name("sixlink_store_commit_seconds")
                       .Help("Duration of one group commit").Register(*registry_)
                       .Add({}, seconds_buckets({0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                 0.01, 0.025, 0.05, 0.1, 0.25, 1}));
  cert_expiry_ = &pm::BuildGauge().Name("sixlink_certificate_expiry_seconds")
                      .Help("Seconds until the certificate expires").Register(*registry_);
  pm::BuildGauge().Name("sixlink_build_info").Help("Build of the running gateway")
      .Register(*registry_).Add({{"version", SIXLINK_VERSION}}).Set(1);
}

MemberMetrics* GatewayMetrics::member(const std::string& id) {
  auto it = members_.find(id);
  return it == members_.end() ? nullptr : &it->second;
}

void GatewayMetrics::set_certificate_expiry(const std::string& subject, double seconds) {
  auto it = cert_expiry_by_subject_.find(subject);
  if (it == cert_expiry_by_subject_.end())
    it = cert_expiry_by_subject_.emplace(subject, &cert_expiry_->Add({{"subject", subject}})).first;
  it->second->Set(seconds);
}

std::string GatewayMetrics::serialize() const {
  return pm::TextSerializer().Serialize(registry_->Collect());
}

}  // namespace sixlink
