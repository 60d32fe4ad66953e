// Builds the bytes of each request: the request line and headers, and a body made from
// a template whose {id} and {ts} placeholders get a unique message id
// (<prefix>-<conn>-<n>: the gateway deduplicates by (source, id)) and the send time in
// unix nanoseconds (the receiver computes delivery latency from it). The template is
// split once at the placeholders, so a request costs a few appends.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bench/loadgen/options.h"

namespace sixlink::bench {

class RequestMaker {
 public:
  // Reads options.body_file, or builds the default canonical bulletin. Throws
  // std::runtime_error when the file cannot be read.
  explicit RequestMaker(const LoadOptions& options);

  // A keep-alive request (POST with the body, or a bodiless GET/HEAD).
  std::string make(int conn, uint64_t n, int64_t unix_ns) const;
  // A one-shot request with "Connection: close" (handshake and idle modes).
  std::string make_one_shot(int conn, uint64_t n, int64_t unix_ns, bool close) const;

  // The default body: an info_sharing bulletin, as in DESIGN §3.
  static std::string default_template(const LoadOptions& options);

 private:
  struct Piece {
    std::string text;
    enum class Kind { literal, id, ts } kind = Kind::literal;
  };
  std::string body(int conn, uint64_t n, int64_t unix_ns) const;

  std::string method_, path_, host_, content_type_, prefix_;
  bool has_body_ = true;
  std::vector<Piece> pieces_;
};

}  // namespace sixlink::bench
