// The relay seam: what the ingest path and the admin API need of delivery.
// The push relay (push_relay.cpp) implements it with one worker per push member.
#pragma once

#include <string>

namespace sixlink {

class Relay {
 public:
  virtual ~Relay() = default;
  // New or replayed deliveries are waiting for `member`: wake its worker now.
  virtual void wake(const std::string& member) = 0;
  // Whether `member`'s circuit is closed (push members; pull members are always up).
  virtual bool member_up(const std::string& member) const = 0;
};

}  // namespace sixlink
