#include "gateway/net/tls_stream.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

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
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* verify = ssl ? static_cast<TlsStream::VerifyFn*>(SSL_get_app_data(ssl)) : nullptr;
  if (!verify || !*verify) return preverified;
  return (*verify)(preverified != 0, store) ? 1 : 0;
}

// OpenSSL's socket BIO writes with write(2), which raises SIGPIPE when the peer has gone
// and would end the process. This BIO is the socket BIO with send(MSG_NOSIGNAL) instead
// (Asio's own sockets do the same).
int write_without_sigpipe(BIO* bio, const char* data, int size) {
  const int fd = static_cast<int>(BIO_get_fd(bio, nullptr));
  errno = 0;
  const ssize_t n = ::send(fd, data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  BIO_clear_retry_flags(bio);
  if (n <= 0 && BIO_sock_should_retry(static_cast<int>(n))) BIO_set_retry_write(bio);
  return static_cast<int>(n);
}

const BIO_METHOD* socket_method() {
  static BIO_METHOD* method = [] {
    const BIO_METHOD* base = BIO_s_socket();
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR,
                                 "socket without SIGPIPE");
    if (m == nullptr) return m;
    BIO_meth_set_write(m, write_without_sigpipe);
    BIO_meth_set_read(m, BIO_meth_get_read(base));
    BIO_meth_set_puts(m, BIO_meth_get_puts(base));
    BIO_meth_set_ctrl(m, BIO_meth_get_ctrl(base));
    BIO_meth_set_create(m, BIO_meth_get_create(base));
    BIO_meth_set_destroy(m, BIO_meth_get_destroy(base));
    return m;
  }();
  return method;
}

}  // namespace

TlsStream::Impl::Impl(asio::ip::tcp::socket s, SSL_CTX* ctx)
    : socket(std::move(s)), timer(socket.get_executor()), ssl(SSL_new(ctx)) {
  if (!ssl) throw std::runtime_error("SSL_new failed");
}

TlsStream::TlsStream(asio::ip::tcp::socket socket, SSL_CTX* ctx, Role role)
    : impl_(std::make_shared<Impl>(std::move(socket), ctx)) {
  SSL* ssl = impl_->ssl.get();
  // Partial writes and a retried write from another address are what a non-blocking
  // socket needs; idle connections give their record buffers back.
  SSL_set_mode(ssl, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                        SSL_MODE_RELEASE_BUFFERS);
  boost::system::error_code ec;
  impl_->socket.non_blocking(true, ec);
  BIO* bio = ec || socket_method() == nullptr ? nullptr : BIO_new(socket_method());
  if (bio == nullptr) throw std::runtime_error("cannot attach TLS to the socket");
  BIO_set_fd(bio, static_cast<int>(impl_->socket.native_handle()), BIO_NOCLOSE);
  SSL_set_bio(ssl, bio, bio);  // the SSL object owns it from here
  if (role == Role::server)
    SSL_set_accept_state(ssl);
  else
    SSL_set_connect_state(ssl);
}

bool TlsStream::set_peer_name(const std::string& host) {
  SSL* ssl = impl_->ssl.get();
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  if (!ec) return X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1;  // no SNI for an IP
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size()) == 1 &&
         SSL_set_tlsext_host_name(ssl, host.c_str()) == 1;
}

void TlsStream::close() {
  impl_->failed = true;
  boost::system::error_code ignored;
  impl_->socket.close(ignored);
}

TlsStream::~TlsStream() {
  // The timer's handler holds the shared state; cancelling lets it go.
  impl_->timer.cancel();
}

void TlsStream::set_verify_callback(VerifyFn fn) {
  impl_->verify = std::move(fn);
  SSL_set_app_data(impl_->ssl.get(), &impl_->verify);
  SSL_set_verify(impl_->ssl.get(), SSL_get_verify_mode(impl_->ssl.get()), verify_trampoline);
}

boost::system::error_code TlsStream::timeout_error() {
  return make_error_code(boost::beast::error::timeout);
}

boost::system::error_code TlsStream::wait_error(const Impl& impl, const error_code& ec) {
  if (ec == asio::error::operation_aborted && impl.timed_out) return timeout_error();
  return ec;
}

void TlsStream::done_waiting(Impl& impl) {
  if (--impl.waiting == 0) impl.timer.expires_at(Clock::time_point::max());  // cancels its wait
}

bool TlsStream::arm_deadline(const std::shared_ptr<Impl>& impl) {
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

TlsStream::Outcome TlsStream::attempt(Impl& impl, const Step& step) {
  SSL* ssl = impl.ssl.get();
  if (impl.failed) return {Want::done, make_error_code(asio::error::broken_pipe), 0};
  ERR_clear_error();
  errno = 0;
  int r = 0;
  std::size_t n = 0;
  switch (step.kind) {
    case Kind::handshake:
      r = SSL_do_handshake(ssl);
      break;
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
    case SSL_ERROR_WANT_READ:
      return {Want::read, {}, 0};
    case SSL_ERROR_WANT_WRITE:
      return {Want::write, {}, 0};
    case SSL_ERROR_ZERO_RETURN:
      if (step.kind == Kind::shutdown) return {};
      return {Want::done, make_error_code(asio::error::eof), 0};
    default:
      break;
  }
  impl.failed = true;
  if (err == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
    if (sys_errno == 0) return {Want::done, make_error_code(asio::ssl::error::stream_truncated), 0};
    return {Want::done, error_code(sys_errno, asio::error::get_system_category()), 0};
  }
  const unsigned long code = ERR_get_error();
  if (ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
    return {Want::done, make_error_code(asio::ssl::error::stream_truncated), 0};
  return {Want::done, error_code(static_cast<int>(code), asio::error::get_ssl_category()), 0};
}

}  // namespace sixlink::net
