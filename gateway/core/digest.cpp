#include "gateway/core/digest.h"

#include <openssl/evp.h>

#include <memory>

namespace sixlink {

std::string sha256_hex(std::string_view data) {
  // The algorithm is fetched once and each thread keeps its context: EVP_Digest with
  // EVP_sha256() looks the algorithm up in the provider store and allocates a context
  // on every call.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                 &EVP_MD_CTX_free);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  bool done = sha256 != nullptr && ctx != nullptr &&
              EVP_DigestInit_ex(ctx.get(), sha256, nullptr) == 1 &&
              EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
              EVP_DigestFinal_ex(ctx.get(), md, &len) == 1;
  if (!done) EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out(len * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = hex[md[i] >> 4];
    out[2 * i + 1] = hex[md[i] & 0xf];
  }
  return out;
}

}  // namespace sixlink
