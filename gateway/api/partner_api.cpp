// Partner API handlers. Ingest (POST /v1/messages) is the spine's hot path:
// adapter.decode -> validate -> source check -> policy -> one store transaction -> 202.
#include "gateway/api/partner_api.h"

#include <boost/json.hpp>
#include <charconv>
#include <chrono>

#include "adapters/adapter.h"
#include "adapters/media_type.h"
#include "gateway/cases/case_api.h"
#include "gateway/cases/case_event.h"
#include "gateway/core/digest.h"
#include "gateway/core/strict_json.h"
#include "gateway/core/text.h"

namespace sixlink {
namespace json = boost::json;

namespace {

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<int64_t> parse_int(const std::string* s) {
  if (!s) return std::nullopt;
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s->data(), s->data() + s->size(), v);
  if (ec != std::errc() || p != s->data() + s->size() || v < 0) return std::nullopt;
  return v;
}

ApiError not_found(std::string what) { return ApiError{404, "not_found", std::move(what), {}, {}, 0}; }

store::IngestRecord make_record(const Envelope& e, const MemberConfig& sender,
                                const GatewayConfig& config, std::vector<RecipientView> views) {
  store::IngestRecord r;
  r.source = e.source;
  r.id = e.id;
  r.link = e.link;
  r.kind = e.kind;
  r.classification = e.classification;
  r.case_id = e.case_id.value_or("");
  r.patrol_id = e.patrol_id.value_or("");
  r.order_key = e.order_key();
  r.envelope_json = to_json_text(e);
  r.body_hash = sha256_hex(r.envelope_json);
  json::array to;
  for (auto& v : views) {
    const MemberConfig* mc = config.find_member(v.member);
    std::string own = v.redacted ? to_json_text(*v.redacted) : std::string();
    for (const auto& red : v.redactions) {
      json::array fields;
      for (const auto& f : red.fields) fields.emplace_back(f);
      r.more_audit.push_back({"gateway", "message.redacted", e.source + "/" + e.id,
                              json::serialize(json::object{{"recipient", v.member}, {"rule", red.rule},
                                                           {"fields", std::move(fields)}})});
    }
    to.emplace_back(v.member);
    r.recipients.push_back({v.member, mc ? mc->delivery.mode : DeliveryMode::pull, std::move(own)});
  }
  json::object detail{{"link", e.link}, {"kind", e.kind}, {"classification", e.classification},
                      {"adapter", sender.adapter}, {"recipients", std::move(to)}};
  r.audit = {sender.id, "message.accepted", e.source + "/" + e.id, json::serialize(detail)};
  r.accepted_at_ms = now_ms();
  return r;
}

std::vector<std::string> recipient_ids(const std::vector<RecipientView>& views) {
  std::vector<std::string> ids;
  for (const auto& v : views) ids.push_back(v.member);
  return ids;
}

RejectReason reason_for(const ApiError& denial) {
  switch (denial.status) {
    case 403: return RejectReason::policy_denied;
    case 413: return RejectReason::too_large;
    case 422: return RejectReason::no_route;
    default: return RejectReason::invalid;
  }
}

}  // namespace

HttpResponse PartnerApi::reject(const MemberConfig& member, RejectReason reason,
                                const ApiError& error) {
  if (auto* mm = ctx_.metrics->member(member.id)) mm->count_rejected(reason);
  return error_response(error);
}

void PartnerApi::handle(const MemberConfig& member, HttpRequest request, Respond respond) {
  Target target = parse_target(request.target);
  const std::string& path = target.path;
  if (const std::string* name = target.repeated_param())
    return respond(error_response(invalid_field(*name, "the parameter " + *name + " is given more than once")));
  const bool get = request.method == "GET", post = request.method == "POST";
  if (path == "/v1/messages" && post) return post_message(member, std::move(request), std::move(respond));
  if (path.starts_with("/v1/messages/") && get)
    return respond(get_message(member, path.substr(std::string_view("/v1/messages/").size())));
  if (path == "/v1/inbox" && get) return respond(get_inbox(member, target));
  if (path == "/v1/inbox/ack" && post) return ack_inbox(member, request, std::move(respond));
  if ((path == "/v1/cases" || path.starts_with("/v1/cases/") || path == "/v1/reports/cases") && get)
    return respond(get_cases(member, target));
  bool known = path == "/v1/messages" || path.starts_with("/v1/messages/") ||
               path == "/v1/inbox" || path == "/v1/inbox/ack" || path == "/v1/cases" ||
               path.starts_with("/v1/cases/") || path == "/v1/reports/cases";
  respond(error_response(known ? ApiError{405, "method_not_allowed", request.method + " is not allowed on " + path, {}, {}, 0}
                               : not_found("no such resource: " + path)));
}

void PartnerApi::post_message(const MemberConfig& member, HttpRequest request, Respond respond) {
  const auto runtime = ctx_.current();  // one configuration and policy for the whole request
  const Policy* policy = runtime->policy.get();
  if (int retry_after = 0; !ctx_.rate_limiter->try_take(member.id, policy->rate_limit(member.id), &retry_after)) {
    if (auto* mm = ctx_.metrics->member(member.id)) mm->count_denial(kRuleRateLimit);
    return respond(reject(member, RejectReason::rate_limited,
                          {429, "rate_limited", member.id + " is over its message rate; retry later", {},
                           "members." + member.id + ".rate", retry_after}));
  }
  const Adapter* adapter = find_adapter(member.adapter);
  if (!adapter) return respond(reject(member, RejectReason::invalid, {500, "internal", "adapter not available", {}, {}, 0}));
  Result<Envelope> decoded = adapter->decode({request.content_type, request.body, request.recipients_header, member.id});
  if (!decoded) {
    auto reason = decoded.error().status == 415 ? RejectReason::unsupported_media_type : RejectReason::invalid;
    return respond(reject(member, reason, decoded.error()));
  }
  Envelope& e = decoded.value();
  if (auto err = validate_envelope(e)) return respond(reject(member, RejectReason::invalid, *err));
  if (e.source != member.id)
    return respond(reject(member, RejectReason::forbidden,
                          {403, "forbidden_source", "source must be the authenticated member (" + member.id + ")", "source", {}, 0}));
  PolicyDecision decision = policy->admit(e, request.body.size());
  if (decision.denial) {
    if (auto* mm = ctx_.metrics->member(member.id)) mm->count_denial(decision.metric_rule);
    return respond(reject(member, reason_for(*decision.denial), *decision.denial));
  }
  std::optional<store::CaseEvent> case_event;  // case.* of a case link: the registry's event
  if (auto err = cases::make_case_event(e, *runtime->config, recipient_ids(decision.recipients), &case_event))
    return respond(reject(member, RejectReason::invalid, *err));
  store::IngestRecord record = make_record(e, member, *runtime->config, std::move(decision.recipients));
  record.case_event = std::move(case_event);
  auto started = request.received_at;
  Respond answer = [respond = std::move(respond), message = e.source + "/" + e.id](HttpResponse r) {
    r.message_id = message;  // for the access log
    respond(std::move(r));
  };
  ctx_.store->ingest(std::move(record), [this, &member, link = e.link, kind = e.kind, started,
                                         respond = std::move(answer)](store::IngestResult r) {
    switch (r.status) {
      case store::IngestStatus::accepted: {
        for (const auto& d : r.deliveries) ctx_.relay->wake(d.member);
        if (auto* mm = ctx_.metrics->member(member.id)) mm->count_received(link, kind);
        ctx_.metrics->ingest_latency().Observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        return respond(json_response(202, std::move(r.response_json)));
      }
      case store::IngestStatus::duplicate:
        return respond(json_response(200, std::move(r.response_json)));
      case store::IngestStatus::conflict:
        return respond(reject(member, RejectReason::conflict,
                              {409, "conflict", "a different message with this id was already accepted from " + member.id, "id", {}, 0}));
      case store::IngestStatus::failed:
        return respond(reject(member, RejectReason::store_error,
                              {503, "unavailable", "the store could not commit; retry later", {}, {}, 5}));
      case store::IngestStatus::illegal_transition:
        if (auto* mm = ctx_.metrics->member(member.id)) mm->count_rejected(RejectReason::illegal_transition);
        return respond(cases::illegal_transition_response(r.refusal));
    }
  });
}

// The case registry and the joint-meeting report (gateway/cases/, gateway/reports/).
HttpResponse PartnerApi::get_cases(const MemberConfig& member, const Target& target) {
  const auto runtime = ctx_.current();
  const std::string& path = target.path;
  if (path == "/v1/cases") return cases::list_cases(*ctx_.store, member.id, target, now_ms());
  if (path == "/v1/reports/cases")
    return cases::case_report(*ctx_.store, *runtime->config, member.id, target, now_ms());
  return cases::get_case(*ctx_.store, *runtime->policy, member.id,
                         path.substr(std::string_view("/v1/cases/").size()), now_ms());
}

HttpResponse PartnerApi::get_message(const MemberConfig& member, const std::string& id) {
  if (!is_valid_message_id(id)) return error_response(invalid_field("id", "not a message id"));
  auto view = ctx_.store->message(member.id, id);
  if (!view) return error_response(not_found("no message " + id + " from " + member.id));
  json::array recipients;
  for (const auto& r : view->recipients) {
    json::object o{{"to", r.to}, {"state", r.state}, {"attempts", r.attempts}, {"updated_at_ms", r.updated_at_ms}};
    if (!r.last_error.empty()) o["last_error"] = r.last_error;
    recipients.push_back(std::move(o));
  }
  json::object body{{"id", view->id}, {"source", view->source}, {"link", view->link},
                    {"kind", view->kind}, {"accepted_at_ms", view->accepted_at_ms},
                    {"deliveries", std::move(recipients)}};
  return json_response(200, json::serialize(body));
}

HttpResponse PartnerApi::get_inbox(const MemberConfig& member, const Target& target) {
  if (member.delivery.mode != DeliveryMode::pull)
    return error_response({409, "push_member", member.id + " receives by push; the inbox is for pull-mode members", {}, {}, 0});
  auto after = target.param("after") ? parse_int(target.param("after")) : std::optional<int64_t>(0);
  if (!after) return error_response(invalid_field("after", "after must be a cursor from a previous page"));
  auto limit = target.param("limit") ? parse_int(target.param("limit")) : std::optional<int64_t>(100);
  if (!limit || *limit < 1 || *limit > 1000) return error_response(invalid_field("limit", "limit must be 1..1000"));
  const Adapter* adapter = find_adapter(member.adapter);
  json::array messages;
  int64_t next = *after;
  for (const auto& d : ctx_.store->pending(member.id, *after, static_cast<int>(*limit))) {
    Result<Envelope> e = parse_envelope(d.envelope_json);
    if (!e) continue;  // stored envelopes were valid when accepted; cannot happen
    NativeDocument doc = adapter->encode(e.value());  // already this member's own form
    bool utf8 = is_valid_utf8(doc.bytes);
    messages.push_back(json::object{{"cursor", std::to_string(d.seq)}, {"id", d.id}, {"source", d.source},
                                    {"link", d.link}, {"kind", d.kind}, {"content_type", doc.content_type},
                                    {"body", utf8 ? doc.bytes : base64_encode(doc.bytes)},
                                    {"body_encoding", utf8 ? "utf-8" : "base64"}});
    next = d.seq;
  }
  json::object page{{"messages", std::move(messages)}, {"next", std::to_string(next)}};
  return json_response(200, json::serialize(page));
}

void PartnerApi::ack_inbox(const MemberConfig& member, const HttpRequest& request, Respond respond) {
  if (member.delivery.mode != DeliveryMode::pull)
    return respond(error_response({409, "push_member", member.id + " receives by push; nothing to acknowledge", {}, {}, 0}));
  if (parse_media_type(request.content_type).type != "application/json")
    return respond(error_response({415, "unsupported_media_type", "send {\"cursor\":\"…\"} as application/json", {}, {}, 0}));
  const StrictJson parsed = parse_strict_json(request.body);  // null unless it parsed
  const json::value& v = parsed.value;
  const json::value* cursor = v.is_object() ? v.get_object().if_contains("cursor") : nullptr;
  std::optional<int64_t> through;
  if (cursor && cursor->is_string()) {
    std::string text(cursor->get_string());
    through = parse_int(&text);
  }
  if (!through || v.get_object().size() != 1)
    return respond(error_response(
        invalid_field("cursor", "body must be {\"cursor\":\"<cursor>\"}" +
                                    (parsed.repeated_member ? "; " + parsed.reason() : ""))));
  ctx_.store->ack_inbox(member.id, *through, [respond = std::move(respond)](bool ok, int64_t) {
    respond(ok ? HttpResponse{204, "", "", {}}
               : error_response({503, "unavailable", "the store could not commit; retry later", {}, {}, 5}));
  });
}

}  // namespace sixlink
