#include "gateway/net/tls_stream.h"

#include <openssl/err.h>

#include <boost/asio/ssl/error.hpp>
#include <boost/beast/core/error.hpp>
#include <cerrno>
#include <stdexcept>

namespace sixlink::net {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

// OpenSSL's verify callback has no user argument: the stream is found through the SSL
// object's app data, set in the constructor.
int verify_trampoline(int preverified, X509_STORE_CTX* store) {
  auto* ssl = static_cast<SSL*>(
      X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* verify = ssl ? static_cast<TlsServerStream::VerifyFn*>(SSL_get_app_data(ssl)) : nullptr;
  if (!verify || !*verify) return preverified;
  return (*verify)(preverified != 0, store) ? 1 : 0;
}

}  // namespace

TlsServerStream::Impl::Impl(asio::ip::tcp::socket s, SSL_CTX* ctx)
    : socket(std::move(s)), timer(socket.get_executor()), ssl(SSL_new(ctx)) {
  if (!ssl) throw std::runtime_error("SSL_new failed");
}

TlsServerStream::TlsServerStream(asio::ip::tcp::socket socket, SSL_CTX* ctx)
    : impl_(std::make_shared<Impl>(std::move(socket), ctx)) {
  SSL* ssl = impl_->ssl.get();
  // Partial writes and a retried write from another address are what a non-blocking
  // socket needs; idle connections give their record buffers back.
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                        SSL_MODE_RELEASE_BUFFERS);
  boost::system::error_code ec;
  impl_->socket.non_blocking(true, ec);
  if (ec || SSL_set_fd(ssl, static_cast<int>(impl_->socket.native_handle())) != 1)
    throw std::runtime_error("cannot attach TLS to the socket");
  SSL_set_accept_state(ssl);
}

TlsServerStream::~TlsServerStream() {
  // The timer's handler holds the shared state; cancelling lets it go.
  impl_->timer.cancel();
}

void TlsServerStream::set_verify_callback(VerifyFn fn) {
  impl_->verify = std::move(fn);
  SSL_set_app_data(impl_->ssl.get(), &impl_->verify);
  SSL_set_verify(impl_->ssl.get(), SSL_get_verify_mode(impl_->ssl.get()), verify_trampoline);
}

boost::system::error_code TlsServerStream::timeout_error() {
  return make_error_code(boost::beast::error::timeout);
}

boost::system::error_code TlsServerStream::wait_error(const Impl& impl, const error_code& ec) {
  if (ec == asio::error::operation_aborted && impl.timed_out) return timeout_error();
  return ec;
}

bool TlsServerStream::arm_deadline(const std::shared_ptr<Impl>& impl) {
  if (impl->timed_out || Clock::now() >= impl->deadline) {
    impl->timed_out = true;
    return false;
  }
  if (impl->deadline == Clock::time_point::max() || impl->timer.expiry() == impl->deadline)
    return true;
  impl->timer.expires_at(impl->deadline);  // cancels a wait for an older deadline
  impl->timer.async_wait([impl](const error_code& ec) {
    if (ec) return;  // cancelled: a newer deadline, or the stream is gone
    if (Clock::now() < impl->deadline) {
      arm_deadline(impl);  // the deadline moved on while this wait ran
      return;
    }
    impl->timed_out = true;
    boost::system::error_code ignored;
    impl->socket.cancel(ignored);
  });
  return true;
}

TlsServerStream::Outcome TlsServerStream::attempt(Impl& impl, const Step& step) {
  SSL* ssl = impl.ssl.get();
  if (impl.failed) return {Want::done, make_error_code(asio::error::broken_pipe), 0};
  ERR_clear_error();
  errno = 0;
  int r = 0;
  std::size_t n = 0;
  switch (step.kind) {
    case Kind::handshake: r = SSL_do_handshake(ssl); break;
    case Kind::read:
      if (step.in.size() == 0) return {};
      r = SSL_read_ex(ssl, step.in.data(), step.in.size(), &n);
      break;
    case Kind::write:
      if (step.out.size() == 0) return {};
      r = SSL_write_ex(ssl, step.out.data(), step.out.size(), &n);
      break;
    case Kind::shutdown:
      if (!impl.sent_close) {
        r = SSL_shutdown(ssl);
        if (r == 1) return {};
        if (r == 0) impl.sent_close = true;
      }
      if (impl.sent_close) {
        // Our close_notify is out; read (and drop) until the peer's arrives.
        char sink[4096];
        do r = SSL_read_ex(ssl, sink, sizeof sink, &n);
        while (r == 1);
      }
      break;
  }
  const int sys_errno = errno;
  if (r == 1) return {Want::done, {}, n};
  const int err = SSL_get_error(ssl, r);
  switch (err) {
    case SSL_ERROR_WANT_READ: return {Want::read, {}, 0};
    case SSL_ERROR_WANT_WRITE: return {Want::write, {}, 0};
    case SSL_ERROR_ZERO_RETURN:
      if (step.kind == Kind::shutdown) return {};
      return {Want::done, make_error_code(asio::error::eof), 0};
    default: break;
  }
  impl.failed = true;
  if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
    if (sys_errno == 0)
      return {Want::done, make_error_code(asio::ssl::error::stream_truncated), 0};
    return {Want::done, error_code(sys_errno, asio::error::get_system_category()), 0};
  }
  const unsigned long code = ERR_get_error();
  if (ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
    return {Want::done, make_error_code(asio::ssl::error::stream_truncated), 0};
  return {Want::done, error_code(static_cast<int>(code), asio::error::get_ssl_category()), 0};
}

}  // namespace sixlink::net
