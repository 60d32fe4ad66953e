// The relay's HTTPS client for one member: mutual TLS with the gateway's own certificate,
// the member's CA and host-name check, one kept-alive connection reused across posts,
// a timeout on every step. Used by one worker at a time (it is not shared).
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/address.h"
#include "gateway/net/tls.h"

namespace sixlink {
namespace net {
class TlsStream;
}

struct PushResult {
  int status = 0;     // HTTP status; 0 when no answer came (connect, TLS, timeout)
  std::string error;  // why, when status is 0
};

class PushClient {
 public:
  PushClient(boost::asio::any_io_executor executor, std::shared_ptr<tls::Context> tls,
             HttpsEndpoint endpoint, std::chrono::milliseconds timeout);
  ~PushClient();
  PushClient(const PushClient&) = delete;
  PushClient& operator=(const PushClient&) = delete;

  // Takes its arguments by value: the coroutine keeps them in its frame, so a caller may
  // pass temporaries and co_spawn it without keeping anything alive.
  boost::asio::awaitable<PushResult> post(std::vector<std::pair<std::string, std::string>> headers,
                                          std::string content_type, std::string body);
  // Drops the connection. Only from the owning coroutine, between posts: it destroys
  // the stream.
  void close();
  // Aborts a post in progress (it completes with an error, and is not sent again on a
  // fresh connection); safe from the owner's strand at any time, since the stream outlives
  // the pending operation. A cancelled client posts nothing more.
  void cancel();

 private:
  using Stream = net::TlsStream;
  boost::asio::awaitable<std::string> connect();  // empty on success, else the error
  boost::asio::awaitable<PushResult> exchange(
      const std::vector<std::pair<std::string, std::string>>& headers,
      const std::string& content_type, const std::string& body);

  boost::asio::any_io_executor executor_;
  std::shared_ptr<tls::Context> tls_;
  HttpsEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Stream> stream_;
  boost::beast::flat_buffer buffer_;
  bool cancelled_ = false;
};

}  // namespace sixlink
