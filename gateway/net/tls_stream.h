// The gateway's TLS stream, both directions (the partner listener's connections and the
// relay's to push members): OpenSSL reads and writes the non-blocking TCP socket itself
// (a socket BIO that sends with MSG_NOSIGNAL) and the stream waits for readiness with Asio.
//
// Why not asio::ssl::stream: it keeps two 17 KiB buffers of its own and a 2 x 17 KiB
// BIO pair per connection for its whole life, 68 KiB an idle connection never uses, and
// every byte goes through the BIO pair and an extra composed operation.
// Here OpenSSL's record buffers are released while a connection is idle
// (SSL_MODE_RELEASE_BUFFERS) and no bytes are copied through a BIO pair.
//
// It meets Beast's AsyncReadStream and AsyncWriteStream requirements, and keeps
// beast::tcp_stream's timeout contract: expires_after() sets a deadline for the
// operations that follow, and an operation still waiting at the deadline completes with
// beast::error::timeout. Errors are the ones asio::ssl::stream reports: OpenSSL's in
// asio's ssl category, asio::ssl::error::stream_truncated for an EOF without
// close_notify, asio::error::eof for a close_notify.
//
// One operation of each kind (read, write) at a time, all on the socket's executor (the
// connection's strand). Include only from listener .cpp files: it pulls in Asio.
#pragma once

#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace sixlink::net {

class TlsStream {
 public:
  enum class Role { server, client };
  using executor_type = boost::asio::ip::tcp::socket::executor_type;
  using error_code = boost::system::error_code;
  // The peer-verification hook: OpenSSL's preverify result and the chain position;
  // returns whether to accept.
  using VerifyFn = std::function<bool(bool preverified, X509_STORE_CTX* store)>;

  // Takes a connected socket (accepted, for a server); SSL settings come from `ctx`
  // (the SSL object holds its own reference to it).
  TlsStream(boost::asio::ip::tcp::socket socket, SSL_CTX* ctx, Role role);
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;
  ~TlsStream();

  executor_type get_executor() { return impl_->socket.get_executor(); }
  SSL* native_handle() { return impl_->ssl.get(); }
  void set_verify_callback(VerifyFn fn);
  // Client: the name (DNS name or IP address) the server's certificate must carry; also
  // sent as SNI when it is a DNS name. False when OpenSSL refuses it.
  bool set_peer_name(const std::string& host);
  // Closes the socket: an operation in progress completes with an error, and the stream
  // does nothing more (the SSL object never touches the descriptor again).
  void close();

  // Deadline for the operations that start from now on (beast::tcp_stream's meaning).
  void expires_after(std::chrono::steady_clock::duration d) {
    impl_->deadline = std::chrono::steady_clock::now() + d;
    impl_->timed_out = false;
  }
  void expires_never() {
    impl_->deadline = std::chrono::steady_clock::time_point::max();
    impl_->timed_out = false;
  }

  template <class Token>
  auto async_handshake(Token&& token) {
    return start(Step{Kind::handshake, {}, {}, nullptr}, std::forward<Token>(token));
  }
  // Sends close_notify and waits for the peer's (until the deadline); completes with
  // the first error, which callers usually ignore.
  template <class Token>
  auto async_shutdown(Token&& token) {
    return start(Step{Kind::shutdown, {}, {}, nullptr}, std::forward<Token>(token));
  }
  template <class MutableBufferSequence, class Token>
  auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
    // Like asio::ssl::stream: reads into the first non-empty buffer.
    boost::asio::mutable_buffer first;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      if (boost::asio::mutable_buffer b(*it); b.size() != 0) {
        first = b;
        break;
      }
    }
    return start(Step{Kind::read, first, {}, nullptr}, std::forward<Token>(token));
  }
  template <class ConstBufferSequence, class Token>
  auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
    // Small pieces (an HTTP header and its body) go out as one record, as Beast's
    // flat_stream does for asio::ssl::stream; larger writes send their first buffer.
    boost::asio::const_buffer first;
    std::size_t total = 0, pieces = 0;
    for (auto it = boost::asio::buffer_sequence_begin(buffers);
         it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::const_buffer b(*it);
      if (b.size() == 0) continue;
      if (pieces++ == 0) first = b;
      total += b.size();
    }
    if (pieces > 1 && total <= kCoalesceLimit) {
      auto flat = std::make_shared<std::string>(total, '\0');
      boost::asio::buffer_copy(boost::asio::buffer(*flat), buffers);
      return start(Step{Kind::write, {}, boost::asio::buffer(*flat), std::move(flat)},
                   std::forward<Token>(token));
    }
    return start(Step{Kind::write, {}, first, nullptr}, std::forward<Token>(token));
  }

 private:
  static constexpr std::size_t kCoalesceLimit = 16384;
  enum class Kind { handshake, read, write, shutdown };
  enum class Want { done, read, write };
  struct Outcome {
    Want want = Want::done;
    error_code ec;
    std::size_t bytes = 0;
  };
  struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
  };
  // Shared with the timer's handler, which may run after the stream is gone.
  struct Impl {
    Impl(boost::asio::ip::tcp::socket s, SSL_CTX* ctx);
    boost::asio::ip::tcp::socket socket;
    boost::asio::steady_timer timer;
    std::unique_ptr<SSL, SslFree> ssl;
    VerifyFn verify;
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    bool timed_out = false;
    int waiting = 0;      // operations waiting for readiness (the timer runs only while > 0)
    bool failed = false;  // a fatal error: no close_notify may follow
    bool sent_close = false;
  };
  struct Step {
    Kind kind;
    boost::asio::mutable_buffer in;
    boost::asio::const_buffer out;
    std::shared_ptr<std::string> flat;  // keeps a coalesced write's bytes
  };

  // One attempt at the operation: done (with its result) or which readiness to wait for.
  static Outcome attempt(Impl& impl, const Step& step);
  // Arms the deadline timer for a wait that is about to start; false when it has passed.
  static bool arm_deadline(const std::shared_ptr<Impl>& impl);
  static error_code wait_error(const Impl& impl, const error_code& ec);
  // An operation that waited is done; the last one stops the deadline timer.
  static void done_waiting(Impl& impl);

  template <class Token>
  auto start(Step step, Token&& token) {
    return boost::asio::async_compose<Token, void(error_code, std::size_t)>(
        Op{impl_, std::move(step)}, token, impl_->socket);
  }

  struct Op {
    std::shared_ptr<Impl> impl;
    Step step;
    bool waited = false;
    bool completing = false;
    Outcome result{};

    template <class Self>
    void operator()(Self& self, error_code wait_ec = {}) {
      if (completing) return self.complete(result.ec, result.bytes);
      if (wait_ec) return finish(self, {Want::done, wait_error(*impl, wait_ec), 0});
      Outcome o = attempt(*impl, step);
      if (o.want == Want::done) return finish(self, o);
      if (!arm_deadline(impl)) return finish(self, {Want::done, timeout_error(), 0});
      if (!waited) ++impl->waiting;
      waited = true;
      impl->socket.async_wait(o.want == Want::read ? boost::asio::socket_base::wait_read
                                                   : boost::asio::socket_base::wait_write,
                              std::move(self));
    }

    // Completes, but never from inside the initiating call: an operation that needed no
    // wait is completed through a post, as Asio requires.
    template <class Self>
    void finish(Self& self, Outcome o) {
      if (waited) {
        done_waiting(*impl);
        return self.complete(o.ec, o.bytes);
      }
      result = o;
      completing = true;
      boost::asio::post(std::move(self));
    }
  };
  static error_code timeout_error();

  std::shared_ptr<Impl> impl_;
};

}  // namespace sixlink::net
