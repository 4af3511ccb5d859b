// JWT auth: only HS256 tokens signed with our secret, with a role, unexpired and already valid.
#include <doctest/doctest.h>
#include <jwt.h>

#include <cstdlib>
#include <string>

#include "analytics/auth.hpp"
#include "analytics/params.hpp"

using namespace mucstream::analytics;

namespace {
const std::string kAuthSecret = "test-secret-of-reasonable-length-0123456789";
constexpr std::int64_t kNow = 1795316645;

// A token built by hand, for the cases create_token refuses to make.
std::string forge(const char* alg_header, const std::string& payload_json, const std::string& signature = "") {
  return base64url_encode(std::string("{\"alg\":\"") + alg_header + "\",\"typ\":\"JWT\"}") + "." +
         base64url_encode(payload_json) + "." + signature;
}

std::string sign_with(jwt_alg_t alg, const std::string& key, const std::string& role, long exp) {
  jwt_t* j = nullptr;
  REQUIRE(jwt_new(&j) == 0);
  REQUIRE(jwt_set_alg(j, alg, reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size())) == 0);
  jwt_add_grant(j, "role", role.c_str());
  jwt_add_grant_int(j, "exp", exp);
  char* s = jwt_encode_str(j);
  std::string out(s);
  std::free(s);
  jwt_free(j);
  return out;
}
}  // namespace

TEST_CASE("auth: a token we create verifies with its role, subject and expiry") {
  const std::string tok = create_token(kAuthSecret, Role::admin, 3600, kNow, "ops@example.org");
  const AuthResult r = verify_token(kAuthSecret, tok, kNow + 10);
  REQUIRE(r.claims.has_value());
  CHECK(r.claims->role == Role::admin);
  CHECK(r.claims->subject == "ops@example.org");
  CHECK(r.claims->expires == kNow + 3600);
  const AuthResult a = verify_token(kAuthSecret, create_token(kAuthSecret, Role::analyst, 60, kNow), kNow);
  REQUIRE(a.claims.has_value());
  CHECK(a.claims->role == Role::analyst);
}

TEST_CASE("auth: expired, not-yet-valid and wrongly signed tokens are refused") {
  const std::string tok = create_token(kAuthSecret, Role::analyst, 60, kNow);
  CHECK(verify_token(kAuthSecret, tok, kNow + 60).error == "token expired");
  CHECK(verify_token(kAuthSecret, tok, kNow - 1).error == "token not valid yet");
  CHECK_FALSE(verify_token("another-secret", tok, kNow).claims.has_value());
  std::string tampered = tok;
  tampered[tampered.size() / 2] = tampered[tampered.size() / 2] == 'A' ? 'B' : 'A';
  CHECK_FALSE(verify_token(kAuthSecret, tampered, kNow).claims.has_value());
  CHECK_FALSE(verify_token(kAuthSecret, "", kNow).claims.has_value());
  CHECK_FALSE(verify_token(kAuthSecret, "not.a.jwt", kNow).claims.has_value());
  CHECK_FALSE(verify_token("", tok, kNow).claims.has_value());
}

TEST_CASE("auth: alg none and other algorithms are refused even though libjwt accepts them") {
  const std::string payload = "{\"role\":\"admin\",\"exp\":" + std::to_string(kNow + 3600) + "}";
  CHECK_FALSE(verify_token(kAuthSecret, forge("none", payload), kNow).claims.has_value());
  CHECK_FALSE(verify_token(kAuthSecret, forge("None", payload), kNow).claims.has_value());
  const AuthResult hs512 = verify_token(kAuthSecret, sign_with(JWT_ALG_HS512, kAuthSecret, "admin", kNow + 3600), kNow);
  CHECK_FALSE(hs512.claims.has_value());
  CHECK(hs512.error == "token algorithm is not HS256");
  CHECK_FALSE(verify_token(kAuthSecret, sign_with(JWT_ALG_HS384, kAuthSecret, "admin", kNow + 3600), kNow).claims.has_value());
  // The same claims with HS256 are fine: the refusal above is about the algorithm.
  CHECK(verify_token(kAuthSecret, sign_with(JWT_ALG_HS256, kAuthSecret, "admin", kNow + 3600), kNow).claims.has_value());
}

TEST_CASE("auth: tokens without exp, with a bad nbf, or without a known role are refused") {
  jwt_t* j = nullptr;
  REQUIRE(jwt_new(&j) == 0);
  jwt_set_alg(j, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(kAuthSecret.data()), static_cast<int>(kAuthSecret.size()));
  jwt_add_grant(j, "role", "admin");
  char* s = jwt_encode_str(j);
  const std::string no_exp(s);
  std::free(s);
  jwt_add_grant(j, "exp", "tomorrow");
  s = jwt_encode_str(j);
  const std::string text_exp(s);
  std::free(s);
  jwt_free(j);
  CHECK(verify_token(kAuthSecret, no_exp, kNow).error == "token has no numeric exp claim");
  CHECK(verify_token(kAuthSecret, text_exp, kNow).error == "token has no numeric exp claim");
  CHECK_FALSE(verify_token(kAuthSecret, sign_with(JWT_ALG_HS256, kAuthSecret, "root", kNow + 60), kNow).claims.has_value());
  CHECK_FALSE(verify_token(kAuthSecret, sign_with(JWT_ALG_HS256, kAuthSecret, "", kNow + 60), kNow).claims.has_value());
}

TEST_CASE("auth: the Authorization header must be a bearer token") {
  const std::string tok = create_token(kAuthSecret, Role::analyst, 60, kNow);
  CHECK(verify_authorization(kAuthSecret, "Bearer " + tok, kNow).claims.has_value());
  CHECK(verify_authorization(kAuthSecret, "bearer  " + tok + " ", kNow).claims.has_value());
  CHECK_FALSE(verify_authorization(kAuthSecret, "", kNow).claims.has_value());
  CHECK_FALSE(verify_authorization(kAuthSecret, "Basic dXNlcjpwYXNz", kNow).claims.has_value());
  CHECK_FALSE(verify_authorization(kAuthSecret, tok, kNow).claims.has_value());
  CHECK_FALSE(verify_authorization(kAuthSecret, "Bearer ", kNow).claims.has_value());
}

TEST_CASE("auth: create_token refuses an empty secret and a non-positive lifetime") {
  CHECK_THROWS(create_token("", Role::admin, 60, kNow));
  CHECK_THROWS(create_token(kAuthSecret, Role::admin, 0, kNow));
  CHECK(parse_role("analyst") == Role::analyst);
  CHECK(parse_role("admin") == Role::admin);
  CHECK_FALSE(parse_role("Admin").has_value());
}

TEST_CASE("auth: a client token carries its session and optional room, and needs the session") {
  const AuthResult r = verify_token(kAuthSecret, create_client_token(kAuthSecret, "sess-1", "room-9", 60, kNow), kNow);
  REQUIRE(r.claims.has_value());
  CHECK(r.claims->role == Role::client);
  CHECK(r.claims->session == "sess-1");
  CHECK(r.claims->room_id == "room-9");
  CHECK(r.claims->expires == kNow + 60);
  const AuthResult any_room = verify_token(kAuthSecret, create_client_token(kAuthSecret, "sess-1", "", 60, kNow), kNow);
  REQUIRE(any_room.claims.has_value());
  CHECK(any_room.claims->room_id.empty());
  CHECK(parse_role("client") == Role::client);
  CHECK(std::string(role_name(Role::client)) == "client");
  // role client without a session speaks for nobody.
  const AuthResult no_session = verify_token(kAuthSecret, sign_with(JWT_ALG_HS256, kAuthSecret, "client", kNow + 60), kNow);
  CHECK_FALSE(no_session.claims.has_value());
  CHECK(no_session.error.find("session") != std::string::npos);
  CHECK_THROWS(create_client_token(kAuthSecret, "", "", 60, kNow));
  CHECK_THROWS(create_client_token("", "s", "", 60, kNow));
  CHECK_THROWS(create_token(kAuthSecret, Role::client, 60, kNow));  // a client token names its session
  // The room service's token source: (session, room) -> a token valid now.
  const ClientTokenSource source = client_token_source(kAuthSecret, 300);
  const AuthResult minted = verify_token(kAuthSecret, source("sess-2", "room-3"), unix_now());
  REQUIRE(minted.claims.has_value());
  CHECK(minted.claims->session == "sess-2");
  CHECK(minted.claims->room_id == "room-3");
  CHECK(minted.claims->expires - unix_now() <= 300);
  CHECK_THROWS(client_token_source("", 300));
}

TEST_CASE("auth: a tenant claim limits a token to one MUC domain, and a claim naming no domain refuses it") {
  const std::string tok = create_token(kAuthSecret, Role::analyst, 3600, kNow, {}, "rooms.acme.example");
  const AuthResult r = verify_token(kAuthSecret, tok, kNow + 1);
  REQUIRE(r.claims.has_value());
  CHECK(r.claims->tenant == "rooms.acme.example");
  CHECK(verify_token(kAuthSecret, create_token(kAuthSecret, Role::analyst, 3600, kNow), kNow + 1).claims->tenant.empty());
  const std::string client = create_client_token(kAuthSecret, "s1", "", 3600, kNow, "rooms.acme.example");
  CHECK(verify_token(kAuthSecret, client, kNow + 1).claims->tenant == "rooms.acme.example");
  // Domains compare as the core stores them: lower case.
  CHECK(verify_token(kAuthSecret, create_token(kAuthSecret, Role::admin, 3600, kNow, {}, "Rooms.ACME.example"), kNow + 1)
            .claims->tenant == "rooms.acme.example");
  for (const char* bad : {"", "a@rooms.acme.example", "rooms.acme.example/x", "two words", ".rooms"}) {
    CAPTURE(bad);
    const std::string payload = std::string(R"({"role":"analyst","exp":)") + std::to_string(kNow + 60) +
                                R"(,"tenant":")" + bad + R"("})";
    jwt_t* j = nullptr;
    REQUIRE(jwt_new(&j) == 0);
    REQUIRE(jwt_add_grants_json(j, payload.c_str()) == 0);
    REQUIRE(jwt_set_alg(j, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(kAuthSecret.data()),
                        static_cast<int>(kAuthSecret.size())) == 0);
    char* s = jwt_encode_str(j);
    const std::string forged(s);
    std::free(s);
    jwt_free(j);
    const AuthResult refused = verify_token(kAuthSecret, forged, kNow);
    CHECK_FALSE(refused.claims.has_value());
    CHECK(refused.error == "token tenant claim is not a MUC domain");
    if (*bad != '\0') CHECK_THROWS_AS(create_token(kAuthSecret, Role::analyst, 60, kNow, {}, bad), std::invalid_argument);
  }
}
