#pragma once
// Bearer JWT authentication: HS256 with one configured secret, a `role` claim (analyst reads,
// admin also manages rooms), a required `exp` and an optional `nbf`, both checked here
// because libjwt 1.10 trusts the token's own `alg` header and never looks at times.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace mucstream::analytics {

enum class Role { analyst = 1, admin = 2 };
std::optional<Role> parse_role(std::string_view);
const char* role_name(Role);

struct TokenClaims {
  Role role = Role::analyst;
  std::string subject;   // "sub", may be empty
  std::int64_t expires = 0;  // "exp", seconds since the epoch
};

struct AuthResult {
  std::optional<TokenClaims> claims;  // set when the token is good
  std::string error;                  // why not, for the 401 message
};

// Signs {"role","exp"=now+ttl,"iat"=now,"nbf"=now,"sub"} with HS256. Throws
// std::invalid_argument for an empty secret or a non-positive ttl.
std::string create_token(std::string_view secret, Role role, std::int64_t ttl_seconds, std::int64_t now,
                         std::string_view subject = {});

// Verifies a compact JWT (without "Bearer "). `now` in seconds since the epoch.
AuthResult verify_token(std::string_view secret, std::string_view token, std::int64_t now);

// Verifies an Authorization header value ("Bearer <token>", scheme case-insensitive).
AuthResult verify_authorization(std::string_view secret, std::string_view header, std::int64_t now);

std::int64_t unix_now();

}  // namespace mucstream::analytics
