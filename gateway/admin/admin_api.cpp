#include "gateway/admin/admin_api.h"

#include <boost/json.hpp>

#include <charconv>

namespace sixlink {
namespace json = boost::json;

namespace {

std::optional<int64_t> to_int(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

}  // namespace

void AdminApi::handle(HttpRequest request, Respond respond) {
  Target t = parse_target(request.target);
  const std::string& p = t.path;
  if (const std::string* name = t.repeated_param())
    return respond(error_response(invalid_field(*name, "the parameter " + *name + " is given more than once")));
  const bool get = request.method == "GET", post = request.method == "POST";
  if (p == "/healthz" && get) return respond(json_response(200, R"({"status":"ok"})"));
  if (p == "/readyz" && get) return respond(ready());
  if (p == "/metrics" && get) return respond(metrics());
  if (p == "/admin/deadletters" && get) return respond(dead_letters(t));
  if (p.starts_with("/admin/deadletters/") && p.ends_with("/replay") && post) {
    std::string seq = p.substr(19, p.size() - 19 - 7);
    return replay(seq, std::move(respond));
  }
  if (p == "/admin/audit/verify" && get) return respond(verify_audit());
  if (p == "/admin/reload" && post) return respond(reload());
  respond(error_response({404, "not_found", "no such admin resource: " + request.method + " " + p, {}, {}, 0}));
}

HttpResponse AdminApi::ready() {
  const bool store_ok = ctx_.store->writable();
  const bool certs_ok = hooks_.certificates_loaded();
  const bool listener_ok = hooks_.partner_listener_up();
  json::object checks{{"store_writable", store_ok}, {"certificates_loaded", certs_ok},
                      {"partner_listener_up", listener_ok}};
  const bool ok = store_ok && certs_ok && listener_ok;
  json::object body{{"status", ok ? "ready" : "not_ready"}, {"checks", std::move(checks)}};
  return json_response(ok ? 200 : 503, json::serialize(body));
}

HttpResponse AdminApi::metrics() {
  hooks_.refresh_gauges();
  HttpResponse r = json_response(200, ctx_.metrics->serialize());
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

HttpResponse AdminApi::dead_letters(const Target& t) {
  int limit = 100;
  if (const std::string* l = t.param("limit")) {
    auto v = to_int(*l);
    if (!v || *v > 1000) return error_response(invalid_field("limit", "limit must be 1..1000"));
    limit = static_cast<int>(*v);
  }
  json::array items;
  for (const auto& d : ctx_.store->dead_letters(limit))
    items.push_back(json::object{{"id", std::to_string(d.seq)}, {"member", d.member}, {"source", d.source},
                                 {"message_id", d.id}, {"link", d.link}, {"kind", d.kind},
                                 {"attempts", d.attempts}, {"last_error", d.last_error},
                                 {"updated_at_ms", d.updated_at_ms}});
  return json_response(200, json::serialize(json::object{{"deadletters", std::move(items)}}));
}

void AdminApi::replay(const std::string& seq_text, Respond respond) {
  auto seq = to_int(seq_text);
  if (!seq) return respond(error_response(invalid_field("id", "not a dead-letter id")));
  ctx_.store->replay_dead_letter(*seq, [this, respond = std::move(respond), seq = *seq](store::ReplayOutcome outcome,
                                                                                        std::string member) {
    if (outcome == store::ReplayOutcome::failed)
      return respond(error_response(
          {503, "unavailable", "the store could not replay dead letter " + std::to_string(seq) + "; retry later", {}, {}, 5}));
    if (outcome == store::ReplayOutcome::not_found)
      return respond(error_response({404, "not_found", "no dead letter " + std::to_string(seq), {}, {}, 0}));
    ctx_.relay->wake(member);
    respond(json_response(200, json::serialize(json::object{{"id", std::to_string(seq)}, {"member", member}, {"state", "queued"}})));
  });
}

HttpResponse AdminApi::verify_audit() {
  store::AuditVerification v = ctx_.store->verify_audit();
  json::object body{{"ok", v.ok}, {"entries", v.entries}};
  if (!v.ok) {
    body["first_broken_seq"] = v.first_broken_seq;
    body["reason"] = v.reason;
  }
  return json_response(v.ok ? 200 : 409, json::serialize(body));
}

HttpResponse AdminApi::reload() {
  auto errors = hooks_.reload();
  if (errors.empty()) return json_response(200, R"({"status":"reloaded"})");
  json::array list;
  for (const auto& e : errors)
    list.push_back(json::object{{"file", e.file}, {"line", e.line}, {"key", e.key}, {"message", e.message}});
  return json_response(400, json::serialize(json::object{
      {"error", json::object{{"code", "invalid_config"}, {"message", "reload refused; the running configuration stays in force"}}},
      {"errors", std::move(list)}}));
}

}  // namespace sixlink
