// Test clients: a synchronous HTTPS client presenting a client certificate (the partner-facing
// mTLS listener, DESIGN §4) and a one-shot plain HTTP request (the admin listener, DESIGN §5).
//
// Owns: connecting, TLS handshakes, keep-alive reuse, raw byte exchanges for limit tests.
// Every network step has a deadline, so a refused handshake or a silent server fails the test
// instead of hanging it. Asio and Beast stay out of this header (pimpl).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace sixlink::testing {

// One HTTP exchange as the client saw it.
struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names; repeated headers joined by ", "
  std::string body;
  std::string error;  // set when no HTTP response came (connect, handshake, write or read failure)

  bool ok() const { return error.empty(); }
  // The header's value, or "" (name in any case).
  std::string header(const std::string& name) const;
};

// A synchronous HTTPS/1.1 client over TLS 1.2+ with an optional client certificate. It keeps one
// connection open between requests (keep-alive). Not thread-safe: one client per thread.
//
// TLS 1.3 note: a client's handshake completes before the server has checked the client
// certificate, so a server refusing the certificate shows up as an error on the first request
// (connect() may still return true).
class MtlsClient {
 public:
  // `ca_file` verifies the server; `cert_file`/`key_file` (both or neither) are the client's
  // identity. Files are read at the first connect(), so they may be written after construction.
  MtlsClient(std::string host, uint16_t port, std::string ca_file, std::string cert_file = "",
             std::string key_file = "");
  ~MtlsClient();
  MtlsClient(const MtlsClient&) = delete;
  MtlsClient& operator=(const MtlsClient&) = delete;

  // --- Settings (take effect at the next connect) -------------------------------------------
  // Deadline of every single step: connect, handshake, write, read, shutdown (default 5 s).
  void set_timeout(std::chrono::milliseconds timeout);
  // Verify that the server certificate names `name` (DNS SAN, or IP SAN for an address) and send
  // it as SNI when it is a host name. Default: chain verification only, no name check, no SNI.
  void set_verify_host(std::string name);
  // Protocol bounds as OpenSSL constants (TLS1_2_VERSION = 0x0303, TLS1_3_VERSION = 0x0304);
  // 0 = no bound. Default: min TLS 1.2, no max.
  void set_tls_versions(int min_version, int max_version);
  // OpenSSL cipher list for TLS 1.2 (SSL_CTX_set_cipher_list), e.g. "AES128-SHA" to check that a
  // non-AEAD suite is refused. Default: OpenSSL's.
  void set_tls12_ciphers(std::string ciphers);

  // --- Connection ----------------------------------------------------------------------------
  // TCP connect + TLS handshake, verifying the server certificate against ca_file. Closes any
  // connection already open first. On failure returns false and describes it in *error.
  bool connect(std::string* error = nullptr);

  // One request/response. Connects if needed and reuses the open connection; if a reused
  // connection turns out to be closed by the server before any response byte, reconnects once
  // and sends again. The connection is closed afterwards when the server asked for it
  // (Connection: close) or on any error. `headers` are added last and override the defaults
  // (Host, Content-Type, User-Agent). Content-Type is sent when the body is non-empty or the
  // method is POST/PUT/PATCH, and content_type is non-empty.
  HttpResult request(const std::string& method, const std::string& target,
                     const std::string& body = "",
                     const std::string& content_type = "application/json",
                     const std::map<std::string, std::string>& headers = {});

  bool is_open() const;
  // Sends a TLS close_notify (waiting at most the timeout, capped at 1 s) and closes the socket.
  void close();
  // How many TCP+TLS connections this client completed (to prove keep-alive reuse).
  int connections_made() const;
  // The negotiated protocol of the open connection ("TLSv1.3", "TLSv1.2"), or "".
  std::string tls_version() const;
  // Whether the open connection's session could be resumed later (TLS 1.3: the server sent
  // a session ticket; TLS 1.2: a session id or ticket). false when no connection is open.
  bool session_resumable() const;
  // How many certificates the server sent in its handshake (its own and any chain), or 0
  // when no connection is open.
  int server_certificates_sent() const;

  // For limit tests: connects if needed, writes `bytes` (nothing if empty) over TLS, then reads
  // whatever comes back until the server closes the connection or `timeout` passes. On return
  // *closed_by_peer says whether the server closed (EOF, close_notify, reset) before the timeout.
  // The connection is always closed afterwards. If connecting fails, returns "" with
  // *closed_by_peer = true.
  std::string raw_exchange(const std::string& bytes, std::chrono::milliseconds timeout,
                           bool* closed_by_peer = nullptr);

  // The description of the last connect/handshake failure, or "".
  const std::string& last_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One plain-HTTP request on a fresh connection (the admin listener), every step bounded by
// `timeout`. Sends "Connection: close".
HttpResult http_request(const std::string& host, uint16_t port, const std::string& method,
                        const std::string& target, const std::string& body = "",
                        const std::string& content_type = "application/json",
                        std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace sixlink::testing
