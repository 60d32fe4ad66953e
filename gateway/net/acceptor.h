// A listening socket: binds, accepts, caps concurrent connections and runs one session
// coroutine per connection on its own strand. Shared by the partner and admin listeners.
#pragma once

#include <prometheus/gauge.h>

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <functional>
#include <memory>
#include <string>

#include "gateway/config/config.h"

namespace sixlink::net {

using tcp = boost::asio::ip::tcp;
using SessionFn = std::function<boost::asio::awaitable<void>(tcp::socket)>;

class Acceptor {
 public:
  Acceptor(boost::asio::io_context& ioc, std::string name, int max_connections,
           prometheus::Gauge& active_gauge, SessionFn session);
  // Binds and starts accepting. False with *error set when the address cannot be bound.
  bool start(const ListenAddress& address, std::string* error);
  // Stops accepting; sessions already running finish on their own.
  void stop();
  uint16_t port() const { return port_; }
  bool listening() const { return listening_.load(); }
  int active() const { return active_.load(); }
  // A reload's new cap: applies to connections accepted from now on.
  void set_max_connections(int n) { max_connections_.store(n); }

 private:
  boost::asio::awaitable<void> accept_loop();
  boost::asio::awaitable<void> run_session(tcp::socket socket);

  boost::asio::io_context& ioc_;
  // The acceptor's own strand: stop() and the accept loop never touch it concurrently.
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  std::string name_;
  std::atomic<int> max_connections_;
  prometheus::Gauge& active_gauge_;
  SessionFn session_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> listening_{false};
  bool stopping_ = false;  // on strand_
  std::atomic<int> active_{0};
};

}  // namespace sixlink::net
