// The simulated partners' HTTPS client towards the gateway's partner listener: mutual TLS
// with the partner's own certificate, the server checked against the federation CA and
// its name, one kept-alive connection, a deadline on every step. Coroutine API: include
// only from the simulator's .cpp files that run on its io_context (it pulls in Asio).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace sixlink::sim {

struct Answer {
  int status = 0;           // 0: no answer (see error)
  std::string body;
  std::string retry_after;  // Retry-After, when sent
  std::string error;
};

class HttpsClient {
 public:
  HttpsClient(boost::asio::any_io_executor executor, std::shared_ptr<boost::asio::ssl::context> tls,
              std::string host, uint16_t port, std::chrono::milliseconds timeout);
  ~HttpsClient();
  HttpsClient(const HttpsClient&) = delete;
  HttpsClient& operator=(const HttpsClient&) = delete;

  // One request; reconnects once when a kept-alive connection turns out closed.
  boost::asio::awaitable<Answer> request(std::string method, std::string target,
                                         std::string content_type, std::string body);
  // Closes the connection: a request in progress completes with an error. For shutdown.
  void cancel();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sixlink::sim
