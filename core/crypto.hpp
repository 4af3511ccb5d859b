#pragma once
// The cryptography the core needs, declared here and done outside (crypto/ implements it
// with OpenSSL): the core decides when a room password is set or checked and how an
// occupant id is derived; the primitives and the cost of a password hash are chosen where
// they are measured. Like IdSource, it reaches decide() through its Context.
#include <string>
#include <string_view>

namespace mucstream::core {

class Crypto {
 public:
  virtual ~Crypto() = default;
  // A freshly salted, self-describing hash of a room password (it carries its own
  // parameters, so a hash made at an older cost still verifies); never contains the password.
  virtual std::string hash_password(std::string_view password) = 0;
  // Whether `password` matches `stored` (a value hash_password() returned, at any cost);
  // false for a malformed stored value. Compares in constant time.
  virtual bool verify_password(std::string_view password, std::string_view stored) const = 0;
  // HMAC-SHA-256(key, message), 32 raw bytes: stable per-room pseudonyms (occupant ids).
  virtual std::string hmac_sha256(std::string_view key, std::string_view message) const = 0;
};

}  // namespace mucstream::core
