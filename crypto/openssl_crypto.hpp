#pragma once
// core::Crypto with OpenSSL's libcrypto (already in the process through librdkafka).
// Room passwords: PBKDF2-HMAC-SHA256 (RFC 8018) with a 16-byte RAND_bytes salt, stored as
//   pbkdf2-sha256$<iterations>$<salt hex>$<32-byte derived key hex>
// (the form earlier releases wrote, so every stored hash stays readable). verify_password()
// uses the count stored in the hash: hashes made at an older cost (2,000 iterations before
// OpenSSL replaced the hand-written code) keep verifying.
#include <string>
#include <string_view>

#include "core/crypto.hpp"

namespace mucstream::crypto {

// Chosen from a measured join (docs/benchmarks.md, "Password rooms"): hashing runs on the
// single room loop, so every password join, wrong guess and new password stalls every room
// for its cost. 20,000 (10x the earlier 2,000) measured ~4.5 ms of loop CPU per check,
// about the component's p99 delivery latency at light load; OWASP's 600,000 measured
// ~140-210 ms (and would let one client at the flood limit occupy the loop). Raising it later
// is safe: each hash carries its own count.
inline constexpr int kPasswordIterations = 20'000;
// verify_password() refuses stored counts above this: a hash we never wrote must not stall
// the loop.
inline constexpr int kMaxPasswordIterations = 10'000'000;

class OpenSslCrypto final : public core::Crypto {
 public:
  explicit OpenSslCrypto(int password_iterations = kPasswordIterations);
  std::string hash_password(std::string_view password) override;
  bool verify_password(std::string_view password, std::string_view stored) const override;
  std::string hmac_sha256(std::string_view key, std::string_view message) const override;
  int password_iterations() const { return iterations_; }

 private:
  int iterations_;
};

// The stored form for a given salt and count (hash_password() uses it with a random salt).
std::string pbkdf2_sha256(std::string_view password, std::string_view salt, int iterations);

}  // namespace mucstream::crypto
