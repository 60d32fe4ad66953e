// The partner's receiving endpoint: listener → session, each session a chain of do_X / on_X steps
// on its own strand, with a deadline on every step. Bookkeeping lives in State, shared by the
// sessions and the test thread under one mutex.
//
// stop() stops the io_context, joins its threads and destroys it: destroying an io_context
// destroys every pending handler, hence every session (each is owned only by its handlers),
// hence every socket. That is the abrupt "partner went down" the relay tests need.
#include "tests/support/partner_server.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <utility>

namespace sixlink::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

constexpr auto kHandshakeTimeout = std::chrono::seconds(10);
constexpr auto kIdleTimeout = std::chrono::seconds(60);  // longer than any test keeps a pool idle
constexpr auto kWriteTimeout = std::chrono::seconds(10);
constexpr auto kShutdownTimeout = std::chrono::seconds(2);
constexpr std::size_t kMaxRequestBody = 64 * 1024 * 1024;
constexpr int kIoThreads = 2;

bool is_2xx(int status) { return status >= 200 && status < 300; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// SAN DNS (first) or CN of the peer certificate, the way the gateway maps identities.
std::string peer_identity(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (!cert) return "";
  std::string identity;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names) && identity.empty(); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) {
      identity.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
                      static_cast<std::size_t>(ASN1_STRING_length(name->d.dNSName)));
    }
  }
  GENERAL_NAMES_free(names);
  if (!identity.empty()) return identity;
  X509_NAME* subject = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return "";
  unsigned char* utf8 = nullptr;
  int len =
      ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index)));
  if (len > 0) identity.assign(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
  OPENSSL_free(utf8);
  return identity;
}

// True when the client has closed its side (FIN or reset) while we were holding its request.
bool peer_gone(int fd) {
  pollfd p{fd, POLLRDHUP, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// State: what arrived and what was answered
// ---------------------------------------------------------------------------------------------

struct PartnerServer::State {
  // What a session needs to answer one request later, and to find its record again.
  struct Ticket {
    std::uint64_t epoch = 0;  // clear() starts a new epoch; older tickets are then ignored
    std::size_t index = 0;
    int status = 200;
    std::chrono::milliseconds delay{0};
  };

  mutable std::mutex mu;
  mutable std::condition_variable changed;
  int status = 200;
  std::size_t override_count = 0;
  int override_status = 200;
  std::map<std::string, int> status_by_message;  // Sixlink-Message-Id -> status, before the rest
  std::chrono::milliseconds delay{0};
  std::uint64_t epoch = 0;
  std::vector<ReceivedDelivery> received;
  std::size_t total = 0;
  std::map<std::string, int> counts;
  std::string last_identity;
  std::size_t connections = 0;
  std::size_t handshake_failures = 0;
  std::size_t in_flight = 0;      // requests read and not yet answered (or abandoned)
  std::size_t max_in_flight = 0;  // the most of them at once

  Ticket arrive(ReceivedDelivery delivery) {
    std::lock_guard lock(mu);
    max_in_flight = std::max(max_in_flight, ++in_flight);
    Ticket ticket{epoch, received.size(), status, delay};
    if (auto it = status_by_message.find(delivery.message_id); it != status_by_message.end()) {
      ticket.status = it->second;
    } else if (override_count > 0) {
      --override_count;
      ticket.status = override_status;
    }
    last_identity = delivery.client_identity;
    received.push_back(std::move(delivery));
    changed.notify_all();
    return ticket;
  }

  void answer(const Ticket& ticket) {
    std::lock_guard lock(mu);
    leave_locked();
    if (ticket.epoch != epoch) return;
    ReceivedDelivery& delivery = received[ticket.index];
    delivery.answered_status = ticket.status;
    if (is_2xx(ticket.status)) {
      ++total;
      if (!delivery.message_id.empty()) ++counts[delivery.message_id];
    }
    changed.notify_all();
  }

  // A request that will not be answered (the client left during the delay).
  void abandon() {
    std::lock_guard lock(mu);
    leave_locked();
  }
  void leave_locked() {
    if (in_flight > 0) --in_flight;
  }

  void count_handshake(bool ok) {
    std::lock_guard lock(mu);
    ++(ok ? connections : handshake_failures);
  }

  template <class Pred>
  bool wait(std::chrono::milliseconds timeout, Pred pred) const {
    std::unique_lock lock(mu);
    return changed.wait_for(lock, timeout, pred);
  }
};

// ---------------------------------------------------------------------------------------------
// Session: handshake → (read → [delay] → write)* → shutdown
// ---------------------------------------------------------------------------------------------

class PartnerServer::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ssl::context& ctx, SharedState state)
      : stream_(std::move(socket), ctx), timer_(stream_.get_executor()), state_(std::move(state)) {}

  void run() {
    asio::dispatch(stream_.get_executor(),
                   beast::bind_front_handler(&Session::do_handshake, shared_from_this()));
  }

 private:
  void do_handshake() {
    stream_.next_layer().expires_after(kHandshakeTimeout);
    stream_.async_handshake(ssl::stream_base::server,
                            beast::bind_front_handler(&Session::on_handshake, shared_from_this()));
  }

  void on_handshake(error_code ec) {
    state_->count_handshake(!ec);
    if (ec) return fail(ec, "handshake");
    identity_ = peer_identity(stream_.native_handle());
    do_read();
  }

  void do_read() {
    parser_.emplace();  // a fresh parser per request: limits apply to each one
    parser_->body_limit(kMaxRequestBody);
    stream_.next_layer().expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(error_code ec, std::size_t) {
    if (ec == http::error::end_of_stream) return do_close();
    if (ec) return fail(ec, "read");
    const auto& req = parser_->get();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    ticket_ = state_->arrive(to_delivery(req));
    if (ticket_.delay.count() > 0) {
      timer_.expires_after(ticket_.delay);
      timer_.async_wait(beast::bind_front_handler(&Session::on_delay, shared_from_this()));
      return;
    }
    do_write();
  }

  void on_delay(error_code ec) {
    if (ec) {
      state_->abandon();
      return fail(ec, "delay");
    }
    // A client that timed out and left must not count as served: a write to its half-closed
    // socket would still "succeed" locally.
    if (peer_gone(stream_.next_layer().socket().native_handle())) {
      state_->abandon();
      stream_.next_layer().close();
      return;
    }
    do_write();
  }

  void do_write() {
    state_->answer(ticket_);
    int status = ticket_.status;
    response_ = {};
    response_.result(static_cast<unsigned>(status));
    response_.version(version_);
    response_.set(http::field::server, "sixlink-test-partner");
    bool no_body = status < 200 || status == 204 || status == 304;
    if (!no_body) {
      response_.set(http::field::content_type, "application/json");
      response_.body() = is_2xx(status) ? "{}" : R"({"error":{"code":"partner_status"}})";
    }
    response_.keep_alive(keep_alive_);
    response_.prepare_payload();
    stream_.next_layer().expires_after(kWriteTimeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(error_code ec, std::size_t) {
    if (ec) return fail(ec, "write");
    if (!keep_alive_) return do_close();
    do_read();
  }

  void do_close() {
    stream_.next_layer().expires_after(kShutdownTimeout);
    stream_.async_shutdown(beast::bind_front_handler(&Session::on_shutdown, shared_from_this()));
  }

  void on_shutdown(error_code) {
    // Whatever the outcome (the client may already have closed), the connection is over.
    stream_.next_layer().close();
  }

  // Every failure ends the session: the handlers stop, the last shared_ptr goes, the socket
  // closes. Nothing is logged: refused handshakes, clients timing out and clients vanishing
  // mid-stream (ssl::error::stream_truncated) are what the tests provoke on purpose; the
  // handshake outcome is counted in State instead.
  void fail(error_code, const char* /*step*/) { stream_.next_layer().close(); }

  ReceivedDelivery to_delivery(const http::request<http::string_body>& req) const {
    ReceivedDelivery d;
    for (const auto& field : req) {
      std::string value(field.value());
      auto [it, inserted] = d.headers.emplace(lower(std::string(field.name_string())), value);
      if (!inserted) it->second += ", " + value;
    }
    auto header = [&](const char* name) {
      auto it = d.headers.find(name);
      return it == d.headers.end() ? std::string() : it->second;
    };
    d.message_id = header("sixlink-message-id");
    d.source = header("sixlink-source");
    d.link = header("sixlink-link");
    d.kind = header("sixlink-kind");
    d.content_type = header("content-type");
    d.body = req.body();
    d.target = std::string(req.target());
    d.method = std::string(req.method_string());
    d.client_identity = identity_;
    return d;
  }

  beast::ssl_stream<beast::tcp_stream> stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> response_;
  SharedState state_;
  std::string identity_;
  State::Ticket ticket_;
  bool keep_alive_ = true;
  unsigned version_ = 11;
};

// ---------------------------------------------------------------------------------------------
// Listener
// ---------------------------------------------------------------------------------------------

class PartnerServer::Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(asio::io_context& ioc, ssl::context& ctx, const tcp::endpoint& endpoint,
           SharedState state)
      : ioc_(ioc), ctx_(ctx), acceptor_(ioc), state_(std::move(state)) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
  }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }

  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_),
                           beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

 private:
  void on_accept(error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted) return;  // the io_context is going away
    if (!ec) std::make_shared<Session>(std::move(socket), ctx_, state_)->run();
    do_accept();  // one failed accept (e.g. a reset before accept) must not stop the listener
  }

  asio::io_context& ioc_;
  ssl::context& ctx_;
  tcp::acceptor acceptor_;
  SharedState state_;
};

// ---------------------------------------------------------------------------------------------
// PartnerServer
// ---------------------------------------------------------------------------------------------

// Declaration order matters: members die in reverse, so the threads are gone, then the
// io_context (and with it every session), and only then the TLS context the sessions used.
struct PartnerServer::Runtime {
  ssl::context ctx{ssl::context::tls_server};
  asio::io_context ioc{kIoThreads};
  std::vector<std::thread> threads;
};

PartnerServer::PartnerServer(std::string cert_file, std::string key_file, std::string ca_file,
                             uint16_t port)
    : state_(std::make_shared<State>()),
      cert_file_(std::move(cert_file)),
      key_file_(std::move(key_file)),
      ca_file_(std::move(ca_file)),
      port_(port) {}

PartnerServer::~PartnerServer() { stop(); }

void PartnerServer::start() {
  if (runtime_) return;
  auto rt = std::make_unique<Runtime>();
  error_code ec;
  SSL_CTX_set_min_proto_version(rt->ctx.native_handle(), TLS1_2_VERSION);
  rt->ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert, ec);
  if (!ec) rt->ctx.load_verify_file(ca_file_, ec);
  if (!ec) rt->ctx.use_certificate_chain_file(cert_file_, ec);
  if (!ec) rt->ctx.use_private_key_file(key_file_, ssl::context::pem, ec);
  if (ec) {
    throw std::runtime_error("PartnerServer: cannot load " + cert_file_ + ", " + key_file_ + ", " +
                             ca_file_ + ": " + ec.message());
  }
  std::shared_ptr<Listener> listener;
  try {
    tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port_);
    listener = std::make_shared<Listener>(rt->ioc, rt->ctx, endpoint, state_);
  } catch (const boost::system::system_error& e) {
    throw std::runtime_error("PartnerServer: cannot listen on 127.0.0.1:" + std::to_string(port_) +
                             ": " + e.what());
  }
  port_ = listener->port();
  listener->do_accept();
  for (int i = 0; i < kIoThreads; ++i) {
    rt->threads.emplace_back([ioc = &rt->ioc] { ioc->run(); });
  }
  runtime_ = std::move(rt);
  running_ = true;
}

void PartnerServer::stop() {
  if (!runtime_) return;
  running_ = false;
  runtime_->ioc.stop();
  for (auto& thread : runtime_->threads) thread.join();
  runtime_.reset();  // destroys every session and the acceptor: all sockets close here
}

bool PartnerServer::running() const { return running_; }
uint16_t PartnerServer::port() const { return port_; }

std::string PartnerServer::endpoint(const std::string& path) const {
  return "https://127.0.0.1:" + std::to_string(port_) + path;
}

void PartnerServer::set_status(int status) {
  std::lock_guard lock(state_->mu);
  state_->status = status;
}

void PartnerServer::set_status_for_next(std::size_t count, int status) {
  std::lock_guard lock(state_->mu);
  state_->override_count = count;
  state_->override_status = status;
}

void PartnerServer::set_status_for_message(const std::string& message_id, int status) {
  std::lock_guard lock(state_->mu);
  state_->status_by_message[message_id] = status;
}

void PartnerServer::set_delay(std::chrono::milliseconds delay) {
  std::lock_guard lock(state_->mu);
  state_->delay = delay;
}

std::vector<ReceivedDelivery> PartnerServer::received() const {
  std::lock_guard lock(state_->mu);
  return state_->received;
}

std::size_t PartnerServer::total() const {
  std::lock_guard lock(state_->mu);
  return state_->total;
}

std::size_t PartnerServer::unique() const {
  std::lock_guard lock(state_->mu);
  return state_->counts.size();
}

std::map<std::string, int> PartnerServer::counts() const {
  std::lock_guard lock(state_->mu);
  return state_->counts;
}

bool PartnerServer::wait_for_unique(std::size_t n, std::chrono::milliseconds timeout) const {
  return state_->wait(timeout, [&] { return state_->counts.size() >= n; });
}

bool PartnerServer::wait_for_total(std::size_t n, std::chrono::milliseconds timeout) const {
  return state_->wait(timeout, [&] { return state_->total >= n; });
}

bool PartnerServer::wait_for_received(std::size_t n, std::chrono::milliseconds timeout) const {
  return state_->wait(timeout, [&] { return state_->received.size() >= n; });
}

std::string PartnerServer::client_identity_of_last() const {
  std::lock_guard lock(state_->mu);
  return state_->last_identity;
}

std::size_t PartnerServer::connections_accepted() const {
  std::lock_guard lock(state_->mu);
  return state_->connections;
}

std::size_t PartnerServer::handshake_failures() const {
  std::lock_guard lock(state_->mu);
  return state_->handshake_failures;
}

std::size_t PartnerServer::max_in_flight() const {
  std::lock_guard lock(state_->mu);
  return state_->max_in_flight;
}

void PartnerServer::clear() {
  std::lock_guard lock(state_->mu);
  ++state_->epoch;
  state_->max_in_flight = state_->in_flight;
  state_->received.clear();
  state_->total = 0;
  state_->counts.clear();
  state_->last_identity.clear();
  state_->changed.notify_all();
}

}  // namespace sixlink::testing
