// A partner district's receiving endpoint for push deliveries (DESIGN §4, "Push delivery to a
// member"): an HTTPS server that requires a client certificate chaining to the federation CA,
// records every request and answers with a status the test chooses.
//
// Owns: accepting, TLS with required client certificates, keep-alive sessions, bookkeeping of
// what arrived. Leaves to the tests: deciding what the gateway should have delivered.
// Asio and Beast stay out of this header (pimpl).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sixlink::testing {

// One request as the partner received it.
struct ReceivedDelivery {
  std::string message_id;  // Sixlink-Message-Id
  std::string source;      // Sixlink-Source
  std::string link;        // Sixlink-Link
  std::string kind;        // Sixlink-Kind
  std::string content_type;
  std::string body;
  std::string target;
  std::string method;
  std::string client_identity;                 // SAN DNS (first) or CN of the client certificate
  std::map<std::string, std::string> headers;  // lower-case names
  // The status the server answered, or 0 when it did not answer (the client had gone away during
  // set_delay(), or the server was stopped first).
  int answered_status = 0;
};

// Thread-safe: while the server's threads serve connections, any thread may configure it and read
// what it received. start() and stop() belong to one thread (the test's). Many concurrent
// keep-alive connections are served by two I/O threads.
class PartnerServer {
 public:
  // Files are read at each start(), so a test may replace them between stop() and start()
  // (certificate rotation). port 0 = let the system choose at the first start(); later starts
  // reuse that port.
  PartnerServer(std::string cert_file, std::string key_file, std::string ca_file,
                uint16_t port = 0);
  ~PartnerServer();
  PartnerServer(const PartnerServer&) = delete;
  PartnerServer& operator=(const PartnerServer&) = delete;

  // Listens on 127.0.0.1:port (SO_REUSEADDR, so stop()/start() can take the same port again).
  // Throws std::runtime_error if the files cannot be loaded or the port cannot be bound.
  // No-op when already running.
  void start();
  // Closes the listener and every open connection at once, without a TLS goodbye, and waits for
  // the I/O threads (simulates the partner going down). Requests in progress are not answered.
  // No-op when not running. Recorded deliveries are kept.
  void stop();
  bool running() const;

  uint16_t port() const;
  // "https://127.0.0.1:<port><path>".
  std::string endpoint(const std::string& path = "/inbox") const;

  // The status answered to every request (default 200).
  void set_status(int status);
  // The next `count` requests are answered `status`, before falling back to set_status()'s
  // (e.g. two 503s, then 200, to exercise retries).
  void set_status_for_next(std::size_t count, int status);
  // Every request for message `message_id` (Sixlink-Message-Id) is answered `status`, before
  // either of the above (e.g. one message that keeps failing while the others pass).
  void set_status_for_message(const std::string& message_id, int status);
  // Delay before answering each request (timeout tests). A client that closes the connection
  // during the delay gets no answer, and the request is not counted as answered.
  void set_delay(std::chrono::milliseconds delay);

  // Every request, in arrival order, answered or not.
  std::vector<ReceivedDelivery> received() const;
  // Requests answered 2xx.
  std::size_t total() const;
  // Distinct non-empty Sixlink-Message-Id values answered 2xx.
  std::size_t unique() const;
  // Per non-empty Sixlink-Message-Id: how many times it was answered 2xx.
  std::map<std::string, int> counts() const;
  // Waits until unique() >= n; false on timeout.
  bool wait_for_unique(std::size_t n, std::chrono::milliseconds timeout) const;
  // Waits until total() >= n; false on timeout.
  bool wait_for_total(std::size_t n, std::chrono::milliseconds timeout) const;
  // Waits until received().size() >= n (answered or not); false on timeout.
  bool wait_for_received(std::size_t n, std::chrono::milliseconds timeout) const;
  // SAN DNS (first) or CN of the client certificate of the last request; "" before any.
  std::string client_identity_of_last() const;
  // TLS connections accepted since construction (handshake completed).
  std::size_t connections_accepted() const;
  // TLS handshakes that failed since construction (no or untrusted client certificate, ...).
  std::size_t handshake_failures() const;
  // The most requests held at once (read, not yet answered) since construction or clear().
  std::size_t max_in_flight() const;
  // Forgets every recorded request and count (not the status, delay or port).
  void clear();

 private:
  struct State;    // bookkeeping shared by the sessions and the test thread
  struct Runtime;  // io_context, TLS context and threads of one start()..stop()
  class Session;
  class Listener;
  using SharedState = std::shared_ptr<State>;
  std::shared_ptr<State> state_;      // shared with the sessions
  std::unique_ptr<Runtime> runtime_;  // present while running
  std::string cert_file_, key_file_, ca_file_;
  std::atomic<uint16_t> port_;
  std::atomic<bool> running_{false};
};

}  // namespace sixlink::testing
