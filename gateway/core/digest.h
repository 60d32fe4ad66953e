// SHA-256 as lower-case hex (body hashes for idempotency, the audit chain).
#pragma once

#include <string>
#include <string_view>

namespace sixlink {

std::string sha256_hex(std::string_view data);

}  // namespace sixlink
