#include "gateway/metrics/metrics.h"

#include <prometheus/text_serializer.h>

#include <ctime>

#include "gateway/core/envelope.h"
#include "gateway/metrics/process_metrics.h"
#include "policies/policy.h"

namespace sixlink {

namespace pm = prometheus;

const char* to_string(RejectReason r) {
  static const char* names[] = {"invalid",    "forbidden",        "policy_denied",
                                "no_route",   "too_large",        "unsupported_media_type",
                                "conflict",   "rate_limited",     "overloaded",
                                "store_error", "illegal_transition"};
  return names[static_cast<int>(r)];
}

const char* to_string(TlsFailure f) {
  static const char* names[] = {"unknown_ca", "no_certificate", "unknown_member", "revoked",
                                "expired",    "protocol",       "timeout",        "other"};
  return names[static_cast<int>(f)];
}

int link_kind_index(std::string_view link, std::string_view kind) {
  int i = 0;
  for (const auto& l : link_ids()) {
    const auto& kinds = kinds_of(l);
    if (l == link) {
      for (const auto& k : kinds) {
        if (k == kind) return i;
        ++i;
      }
      return -1;
    }
    i += static_cast<int>(kinds.size());
  }
  return -1;
}

void MemberMetrics::count_received(std::string_view link, std::string_view kind) {
  int i = link_kind_index(link, kind);
  if (i >= 0) received[static_cast<std::size_t>(i)]->Increment();
}

void MemberMetrics::count_denial(std::string_view rule) {
  auto it = policy_denials.find(rule);
  if (it != policy_denials.end()) it->second->Increment();
}

namespace {

pm::Histogram::BucketBoundaries seconds_buckets(std::initializer_list<double> b) { return b; }

const pm::Histogram::BucketBoundaries& delivery_buckets() {
  static const auto b = seconds_buckets({0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300});
  return b;
}

}  // namespace

GatewayMetrics::GatewayMetrics(const GatewayConfig& config)
    : registry_(std::make_shared<pm::Registry>()), index_(std::make_shared<const Index>()),
      process_(make_process_collector()) {
  received_ = &pm::BuildCounter().Name("sixlink_messages_received_total")
                   .Help("Messages accepted from a member, by link and kind").Register(*registry_);
  rejected_ = &pm::BuildCounter().Name("sixlink_messages_rejected_total")
                   .Help("Messages refused, by member and fixed reason").Register(*registry_);
  deliveries_ = &pm::BuildCounter().Name("sixlink_deliveries_total")
                     .Help("Delivery attempts by outcome").Register(*registry_);
  delivery_latency_ = &pm::BuildHistogram().Name("sixlink_delivery_latency_seconds")
                           .Help("Accept to delivered, per recipient").Register(*registry_);
  queue_depth_ = &pm::BuildGauge().Name("sixlink_queue_depth")
                      .Help("Deliveries not yet final, per recipient").Register(*registry_);
  deadletters_ = &pm::BuildGauge().Name("sixlink_deadletters")
                      .Help("Dead-lettered deliveries, per recipient").Register(*registry_);
  up_ = &pm::BuildGauge().Name("sixlink_member_up")
             .Help("1 while the member's circuit is closed").Register(*registry_);
  denials_ = &pm::BuildCounter().Name("sixlink_policy_denials_total")
                  .Help("Policy denials by member and rule").Register(*registry_);
  add_members(config);
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
  cases_overdue_ = &pm::BuildGauge().Name("sixlink_cases_overdue")
                        .Help("Open cases past their deadline, by link and lead").Register(*registry_);
  pm::BuildGauge().Name("sixlink_build_info").Help("Build of the running gateway")
      .Register(*registry_).Add({{"version", SIXLINK_VERSION}}).Set(1);
}

GatewayMetrics::~GatewayMetrics() = default;

void GatewayMetrics::add_members(const GatewayConfig& config) {
  std::lock_guard lock(add_mu_);
  auto index = std::make_shared<Index>(*index_.load());
  for (const auto& m : config.members) {
    if (index->count(m.id)) continue;
    auto mm = std::make_unique<MemberMetrics>();
    for (const auto& link : link_ids())
      for (const auto& kind : kinds_of(link))
        mm->received.push_back(&received_->Add({{"member", m.id}, {"link", link}, {"kind", std::string(kind)}}));
    for (int r = 0; r < static_cast<int>(RejectReason::count_); ++r)
      mm->rejected.push_back(
          &rejected_->Add({{"member", m.id}, {"reason", to_string(static_cast<RejectReason>(r))}}));
    mm->delivered = &deliveries_->Add({{"member", m.id}, {"outcome", "delivered"}});
    mm->retried = &deliveries_->Add({{"member", m.id}, {"outcome", "retried"}});
    mm->dead_lettered = &deliveries_->Add({{"member", m.id}, {"outcome", "dead_lettered"}});
    mm->delivery_latency = &delivery_latency_->Add({{"member", m.id}}, delivery_buckets());
    mm->queue_depth = &queue_depth_->Add({{"member", m.id}});
    mm->deadletters = &deadletters_->Add({{"member", m.id}});
    mm->up = &up_->Add({{"member", m.id}});
    mm->up->Set(1);
    for (const char* rule : kAllRules)
      mm->policy_denials[rule] = &denials_->Add({{"member", m.id}, {"rule", rule}});
    (*index)[m.id] = mm.get();
    owned_.push_back(std::move(mm));
  }
  index_.store(std::move(index));
}

MemberMetrics* GatewayMetrics::member(std::string_view id) const {
  auto index = index_.load();
  auto it = index->find(id);
  return it == index->end() ? nullptr : it->second;
}

void GatewayMetrics::set_certificate_expiry(const std::string& subject, double seconds) {
  std::lock_guard lock(add_mu_);
  auto it = cert_expiry_by_subject_.find(subject);
  if (it == cert_expiry_by_subject_.end())
    it = cert_expiry_by_subject_.emplace(subject, &cert_expiry_->Add({{"subject", subject}})).first;
  it->second->Set(seconds);
}

void GatewayMetrics::set_cases_overdue(const std::string& link, const std::string& lead, double count) {
  std::lock_guard lock(add_mu_);
  auto key = std::make_pair(link, lead);
  auto it = cases_overdue_by_key_.find(key);
  if (it == cases_overdue_by_key_.end())
    it = cases_overdue_by_key_.emplace(key, &cases_overdue_->Add({{"link", link}, {"lead", lead}})).first;
  it->second->Set(count);
}

void GatewayMetrics::saw_client_certificate(std::string_view member_id, int64_t not_after) {
  if (auto* mm = member(member_id)) mm->client_cert_not_after.store(not_after, std::memory_order_relaxed);
}

void GatewayMetrics::refresh_member_certificates() {
  const auto now = static_cast<int64_t>(std::time(nullptr));
  auto index = index_.load();
  for (const auto& [id, mm] : *index)
    if (int64_t t = mm->client_cert_not_after.load(std::memory_order_relaxed))
      set_certificate_expiry("member:" + id, static_cast<double>(t - now));
}

std::string GatewayMetrics::serialize() const {
  auto families = registry_->Collect();
  for (auto& f : process_->Collect()) families.push_back(std::move(f));
  return pm::TextSerializer().Serialize(families);
}

}  // namespace sixlink
