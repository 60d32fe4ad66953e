#include "bench/loadgen/request_maker.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace sixlink::bench {

std::string RequestMaker::default_template(const LoadOptions& o) {
  std::string recipients;
  if (!o.recipients.empty()) {
    recipients = "\"recipients\":[";
    for (std::size_t i = 0; i < o.recipients.size(); ++i)
      recipients += (i ? ",\"" : "\"") + o.recipients[i] + "\"";
    recipients += "],";
  }
  std::string pad(static_cast<std::size_t>(o.pad_bytes), 'x');
  for (std::size_t i = 0; i < pad.size(); i += 8) pad[i] = ' ';
  return "{\"id\":\"{id}\",\"source\":\"" + o.source +
         "\",\"link\":\"info_sharing\",\"kind\":\"bulletin\","
         "\"created_at\":\"2026-04-12T09:30:00+08:00\"," +
         recipients +
         "\"classification\":\"internal\",\"region_codes\":[\"320585\"],"
         "\"body\":{\"title\":\"benchmark bulletin\",\"bench_t\":{ts},\"text\":\"" + pad + "\"}}";
}

RequestMaker::RequestMaker(const LoadOptions& o)
    : method_(o.method), path_(o.path), host_(o.sni), content_type_(o.content_type), prefix_(o.id_prefix) {
  has_body_ = !(o.method == "GET" || o.method == "HEAD" || o.method == "DELETE");
  std::string text;
  if (!o.body_file.empty()) {
    std::ifstream in(o.body_file, std::ios::binary);
    if (!in) throw std::runtime_error("cannot read " + o.body_file);
    std::ostringstream s;
    s << in.rdbuf();
    text = s.str();
  } else {
    text = default_template(o);
  }
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t id = text.find("{id}", pos), ts = text.find("{ts}", pos);
    std::size_t next = std::min(id, ts);
    if (next == std::string::npos) {
      pieces_.push_back({text.substr(pos), Piece::Kind::literal});
      break;
    }
    if (next > pos) pieces_.push_back({text.substr(pos, next - pos), Piece::Kind::literal});
    pieces_.push_back({{}, next == id ? Piece::Kind::id : Piece::Kind::ts});
    pos = next + 4;
  }
}

std::string RequestMaker::body(int conn, uint64_t n, int64_t unix_ns) const {
  std::string b;
  b.reserve(512);
  for (const auto& p : pieces_) {
    switch (p.kind) {
      case Piece::Kind::literal: b += p.text; break;
      case Piece::Kind::id:
        b += prefix_;
        b += '-';
        b += std::to_string(conn);
        b += '-';
        b += std::to_string(n);
        break;
      case Piece::Kind::ts: b += std::to_string(unix_ns); break;
    }
  }
  return b;
}

std::string RequestMaker::make_one_shot(int conn, uint64_t n, int64_t unix_ns, bool close) const {
  std::string req;
  req.reserve(768);
  req += method_;
  req += ' ';
  req += path_;
  req += " HTTP/1.1\r\nHost: ";
  req += host_;
  req += "\r\nUser-Agent: sixlink-loadgen\r\n";
  if (close) req += "Connection: close\r\n";
  if (has_body_) {
    std::string b = body(conn, n, unix_ns);
    req += "Content-Type: ";
    req += content_type_;
    req += "\r\nContent-Length: ";
    req += std::to_string(b.size());
    req += "\r\n\r\n";
    req += b;
  } else {
    req += "\r\n";
  }
  return req;
}

std::string RequestMaker::make(int conn, uint64_t n, int64_t unix_ns) const {
  return make_one_shot(conn, n, unix_ns, false);
}

}  // namespace sixlink::bench
