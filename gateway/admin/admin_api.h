// The ops API (DESIGN §5, contract), served on the loopback admin listener:
// health, readiness, metrics, dead letters with replay, audit verification, reload.
#pragma once

#include <functional>
#include <vector>

#include "gateway/api/http_types.h"
#include "gateway/gateway_context.h"

namespace sixlink {

// What the admin API asks of the running gateway.
struct AdminHooks {
  std::function<bool()> partner_listener_up;
  std::function<bool()> certificates_loaded;
  std::function<void()> refresh_gauges;  // queue depths, dead letters, certificate expiry
  std::function<std::vector<ConfigError>()> reload;  // empty = reloaded
};

class AdminApi {
 public:
  AdminApi(GatewayContext& ctx, AdminHooks hooks) : ctx_(ctx), hooks_(std::move(hooks)) {}
  void handle(HttpRequest request, Respond respond);

 private:
  HttpResponse ready();
  HttpResponse metrics();
  HttpResponse dead_letters(const Target& target);
  void replay(const std::string& seq_text, Respond respond);
  HttpResponse verify_audit();
  HttpResponse reload();

  GatewayContext& ctx_;
  AdminHooks hooks_;
};

}  // namespace sixlink
