#include "support.hpp"

#include "core/password.hpp"
#include "core/sha256.hpp"

using namespace mucstream::core;

static std::string hex(const Digest& d) {
  return to_hex(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

TEST_CASE("password: SHA-256 and HMAC-SHA-256 match the published test vectors") {
  CHECK(hex(sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(hex(sha256("abc")) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // RFC 4231 test case 2.
  CHECK(hex(hmac_sha256("Jefe", "what do ya want for nothing?")) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("password: PBKDF2-HMAC-SHA256 matches RFC 7914's vector and verifies") {
  // RFC 7914 §11: PBKDF2-HMAC-SHA256 (P="passwd", S="salt", c=1).
  CHECK(hash_password("passwd", "salt", 1) ==
        "pbkdf2-sha256$1$73616c74$55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc");
  std::string stored = hash_password("secret", "0123456789abcdef");
  CHECK(stored.find("secret") == std::string::npos);
  CHECK(verify_password("secret", stored));
  CHECK_FALSE(verify_password("Secret", stored));
  CHECK_FALSE(verify_password("", stored));
  CHECK_FALSE(verify_password("secret", "plain:secret"));
  CHECK_FALSE(verify_password("secret", "pbkdf2-sha256$x$00$00"));
  // Two rooms with the same password store different hashes (salted).
  CHECK(hash_password("secret", "salt-a") != hash_password("secret", "salt-b"));
}

TEST_CASE("ids: UUIDv7 layout") {
  std::array<std::uint8_t, 10> r{};
  r.fill(0xff);
  std::string id = format_uuid_v7(0x0123456789ab, r);
  CHECK(id.size() == 36);
  CHECK(id.substr(0, 13) == "01234567-89ab");
  CHECK(id[14] == '7');                             // version
  CHECK(std::string("89ab").find(id[19]) != std::string::npos);  // variant 10xx
  // Time-ordered: a later millisecond sorts after.
  CHECK(format_uuid_v7(1000, r) < format_uuid_v7(1001, std::array<std::uint8_t, 10>{}));
}
