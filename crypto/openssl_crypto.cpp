#include "crypto/openssl_crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <stdexcept>

#include "core/ids.hpp"

namespace mucstream::crypto {
namespace {

constexpr std::string_view kPrefix = "pbkdf2-sha256$";
constexpr std::size_t kKeyBytes = 32;
constexpr std::size_t kSaltBytes = 16;

using Key = std::array<unsigned char, kKeyBytes>;

Key derive(std::string_view password, std::string_view salt, int iterations) {
  Key key{};
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                        iterations, EVP_sha256(), static_cast<int>(key.size()), key.data()) != 1)
    throw std::runtime_error("PKCS5_PBKDF2_HMAC failed");
  return key;
}

// Empty for odd length or a non-hex digit.
std::string from_hex(std::string_view hex) {
  std::string out;
  if (hex.size() % 2) return out;
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    unsigned v = 0;
    auto r = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    if (r.ec != std::errc{} || r.ptr != hex.data() + i + 2) return {};
    out.push_back(static_cast<char>(v));
  }
  return out;
}

}  // namespace

std::string pbkdf2_sha256(std::string_view password, std::string_view salt, int iterations) {
  const Key key = derive(password, salt, iterations);
  return std::string(kPrefix) + std::to_string(iterations) + "$" + core::to_hex(salt) + "$" +
         core::to_hex(std::string_view(reinterpret_cast<const char*>(key.data()), key.size()));
}

OpenSslCrypto::OpenSslCrypto(int iterations) : iterations_(iterations) {
  if (iterations < 1 || iterations > kMaxPasswordIterations)
    throw std::invalid_argument("PBKDF2 iteration count out of range: " + std::to_string(iterations));
}

std::string OpenSslCrypto::hash_password(std::string_view password) {
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) throw std::runtime_error("RAND_bytes failed");
  return pbkdf2_sha256(password, std::string_view(reinterpret_cast<const char*>(salt.data()), salt.size()),
                       iterations_);
}

bool OpenSslCrypto::verify_password(std::string_view password, std::string_view stored) const {
  if (stored.substr(0, kPrefix.size()) != kPrefix) return false;
  stored.remove_prefix(kPrefix.size());
  const auto d1 = stored.find('$');
  if (d1 == std::string_view::npos) return false;
  const auto d2 = stored.find('$', d1 + 1);
  if (d2 == std::string_view::npos) return false;
  int iterations = 0;
  const auto r = std::from_chars(stored.data(), stored.data() + d1, iterations);
  if (r.ec != std::errc{} || r.ptr != stored.data() + d1 || iterations < 1 || iterations > kMaxPasswordIterations)
    return false;
  const std::string salt = from_hex(stored.substr(d1 + 1, d2 - d1 - 1));
  const std::string expected = from_hex(stored.substr(d2 + 1));
  if (salt.empty() || expected.size() != kKeyBytes) return false;
  const Key actual = derive(password, salt, iterations);
  return CRYPTO_memcmp(expected.data(), actual.data(), kKeyBytes) == 0;
}

std::string OpenSslCrypto::hmac_sha256(std::string_view key, std::string_view message) const {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
           message.size(), out, &len) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(out), len);
}

}  // namespace mucstream::crypto
