#include <doctest/doctest.h>

#include <stdexcept>

#include "core/ids.hpp"
#include "crypto/openssl_crypto.hpp"

using namespace mucstream;
using crypto::OpenSslCrypto;

TEST_CASE("crypto: HMAC-SHA-256 matches RFC 4231, and occupant ids derived from it are those stored before") {
  const OpenSslCrypto c(1000);
  // RFC 4231 test case 2.
  CHECK(core::to_hex(c.hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // An occupant id (first 16 bytes, hex) as the hand-written HMAC computed it: rooms
  // restored from earlier events give their occupants the same ids.
  CHECK(core::to_hex(c.hmac_sha256("5f1e2d3c4b5a69788796a5b4c3d2e1f0", "alice@example.com").substr(0, 16)) ==
        "31d5460e77090665d9cef680ec9ad53b");
}

TEST_CASE("password: PBKDF2-HMAC-SHA256 matches RFC 7914's vectors and verifies") {
  // RFC 7914 §11: PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1), first 32 bytes.
  CHECK(crypto::pbkdf2_sha256("passwd", "salt", 1) ==
        "pbkdf2-sha256$1$73616c74$55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
  // (P="Password", S="NaCl", c=80000), first 32 bytes.
  CHECK(crypto::pbkdf2_sha256("Password", "NaCl", 80000) ==
        "pbkdf2-sha256$80000$4e61436c$4ddcd8f60b98be21830cee5ef22701f9641a4418d04c0414aeff08876b34ab56");
  OpenSslCrypto c(1000);
  const std::string stored = c.hash_password("secret");
  CHECK(stored.rfind("pbkdf2-sha256$1000$", 0) == 0);
  CHECK(stored.find("secret") == std::string::npos);
  CHECK(c.verify_password("secret", stored));
  CHECK_FALSE(c.verify_password("Secret", stored));
  CHECK_FALSE(c.verify_password("", stored));
  CHECK_FALSE(c.verify_password("secret", "plain:secret"));
  CHECK_FALSE(c.verify_password("secret", "pbkdf2-sha256$x$00$00"));
  // Two rooms with the same password store different hashes (random salt).
  CHECK(c.hash_password("secret") != c.hash_password("secret"));
}

TEST_CASE("password: hashes stored by earlier releases (2,000 iterations, hand-written PBKDF2) still verify") {
  // Written by the hand-written PBKDF2 that OpenSSL replaced, with a fixed salt.
  const std::string old =
      "pbkdf2-sha256$2000$0123456789abcdef1032547698badcfe$cbf0e4d5d5b93ef5d933d7962cda77602b7b22504bf86f79022797fbbe158b85";
  const OpenSslCrypto current;  // the production count, not the stored one
  CHECK(current.password_iterations() != 2000);
  CHECK(current.verify_password("hunter2", old));
  CHECK_FALSE(current.verify_password("hunter3", old));
}

TEST_CASE("password: malformed or out-of-range stored hashes are refused") {
  const OpenSslCrypto c(1000);
  const std::string key = "$73616c74$55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc";
  CHECK(c.verify_password("passwd", "pbkdf2-sha256$1" + key));
  CHECK_FALSE(c.verify_password("passwd", "pbkdf2-sha256$0" + key));
  CHECK_FALSE(c.verify_password("passwd", "pbkdf2-sha256$-1" + key));
  CHECK_FALSE(c.verify_password("passwd", "pbkdf2-sha256$1x" + key));
  CHECK_FALSE(c.verify_password("passwd", "pbkdf2-sha256$" + std::to_string(crypto::kMaxPasswordIterations + 1) + key));
  CHECK_FALSE(c.verify_password("passwd", "pbkdf2-sha256$1$73616c7$55ac"));              // odd salt hex
  CHECK_FALSE(c.verify_password("passwd", "pbkdf2-sha256$1$$55ac046e56e3089fec1691c2"));  // no salt, short key
  CHECK_FALSE(c.verify_password("passwd", "pbkdf2-sha512$1" + key));
  CHECK_THROWS_AS(OpenSslCrypto(0), std::invalid_argument);
}
