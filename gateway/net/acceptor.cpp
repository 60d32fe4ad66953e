#include "gateway/net/acceptor.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "gateway/log.h"

namespace sixlink::net {

namespace asio = boost::asio;

Acceptor::Acceptor(asio::io_context& ioc, std::string name, int max_connections,
                   prometheus::Gauge& active_gauge, SessionFn session)
    : ioc_(ioc), strand_(asio::make_strand(ioc)), name_(std::move(name)), max_connections_(max_connections),
      active_gauge_(active_gauge), session_(std::move(session)), acceptor_(strand_) {}

bool Acceptor::start(const ListenAddress& address, std::string* error) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address.host, ec);
  tcp::endpoint ep(ip, address.port);
  if (!ec) acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = name_ + " listener cannot bind " + address.host + ":" + std::to_string(address.port) +
             ": " + ec.message();
    return false;
  }
  port_ = acceptor_.local_endpoint().port();
  listening_ = true;
  asio::co_spawn(strand_, accept_loop(), asio::detached);
  return true;
}

void Acceptor::stop() {
  asio::post(strand_, [this] {
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  });
}

asio::awaitable<void> Acceptor::accept_loop() {
  for (;;) {
    auto [ec, socket] =
        co_await acceptor_.async_accept(asio::make_strand(ioc_), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) break;
      // EMFILE and friends: keep accepting; the condition is logged, not fatal.
      log_event(LogLevel::warn, "accept_failed", {{"listener", name_}, {"error", ec.message()}});
      continue;
    }
    if (active_.load() >= max_connections_) {
      boost::system::error_code ignored;
      socket.close(ignored);  // over the cap: refuse before spending a TLS handshake on it
      continue;
    }
    auto executor = socket.get_executor();
    asio::co_spawn(executor, run_session(std::move(socket)), asio::detached);
  }
  listening_ = false;
}

asio::awaitable<void> Acceptor::run_session(tcp::socket socket) {
  ++active_;
  active_gauge_.Increment();
  try {
    co_await session_(std::move(socket));
  } catch (const std::exception& e) {
    // The request path does not throw; this only guards the process against a bug.
    log_event(LogLevel::error, "session_failed", {{"listener", name_}, {"error", e.what()}});
  }
  active_gauge_.Decrement();
  --active_;
}

}  // namespace sixlink::net
