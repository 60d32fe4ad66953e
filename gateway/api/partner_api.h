// The partner-facing API (DESIGN §4): routes a request from an authenticated member to
// ingest, message state, or the pull inbox. Never throws: every failure is answered with
// the contract error body, counted, and the request changes nothing.
#pragma once

#include "gateway/api/http_types.h"
#include "gateway/gateway_context.h"

namespace sixlink {

class PartnerApi {
 public:
  explicit PartnerApi(GatewayContext& ctx) : ctx_(ctx) {}

  // `respond` may run on the store's writer thread; the caller posts it back.
  void handle(const MemberConfig& member, HttpRequest request, Respond respond);

 private:
  void post_message(const MemberConfig& member, HttpRequest request, Respond respond);
  HttpResponse get_message(const MemberConfig& member, const std::string& id);
  HttpResponse get_cases(const MemberConfig& member, const Target& target);
  HttpResponse get_inbox(const MemberConfig& member, const Target& target);
  void ack_inbox(const MemberConfig& member, const HttpRequest& request, Respond respond);
  HttpResponse reject(const MemberConfig& member, RejectReason reason, const ApiError& error);

  GatewayContext& ctx_;
};

}  // namespace sixlink
