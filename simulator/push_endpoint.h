// A simulated partner's receiving endpoint for push deliveries (DESIGN §4): an HTTPS
// server with the partner's own certificate that requires a client certificate chaining to
// the federation CA (the gateway's), hands every POST to a callback and answers with the
// status the callback returns. Include only from the simulator's .cpp files (Asio).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <functional>
#include <memory>
#include <string>

#include "gateway/config/config.h"
#include "simulator/ledger.h"

namespace sixlink::sim {

class PushEndpoint {
 public:
  // Returns the HTTP status to answer (200 taken, 400 refused) for one delivery.
  using OnDelivery = std::function<int(const Reception&)>;

  PushEndpoint(boost::asio::io_context& ioc, std::string member, std::shared_ptr<boost::asio::ssl::context> tls,
               OnDelivery on_delivery);
  ~PushEndpoint();
  PushEndpoint(const PushEndpoint&) = delete;
  PushEndpoint& operator=(const PushEndpoint&) = delete;

  // Binds and starts accepting; false with *error when the address cannot be bound.
  bool start(const ListenAddress& where, std::string* error);
  // Stops accepting and closes every connection (sessions then end). For shutdown.
  void stop();
  // Requests refused before reaching the callback (wrong method, missing headers).
  int malformed() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace sixlink::sim
