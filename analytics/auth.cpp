#include "analytics/auth.hpp"

#include <jwt.h>

#include <cstdlib>
#include <initializer_list>
#include <utility>
#include <chrono>
#include <memory>
#include <stdexcept>

namespace mucstream::analytics {
namespace {

struct JwtFree {
  void operator()(jwt_t* j) const { jwt_free(j); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

// A claim that is absent or not a JSON integer reads as nullopt. (jwt_get_grant_int
// answers 0 for a string claim, so the claim's JSON text is checked first.)
std::optional<long> int_claim(jwt_t* j, const char* name) {
  char* json = jwt_get_grants_json(j, name);
  if (json == nullptr) return std::nullopt;
  const std::string text(json);
  std::free(json);
  const std::size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  if (text.size() <= start || text.size() > 18 || text.find_first_not_of("0123456789", start) != std::string::npos)
    return std::nullopt;
  return std::stol(text);
}

// Only the JSON literal true grants: "true", 1 or "yes" do not.
bool true_claim(jwt_t* j, const char* name) {
  char* json = jwt_get_grants_json(j, name);
  if (json == nullptr) return false;
  const bool yes = std::string_view(json) == "true";
  std::free(json);
  return yes;
}

bool has_claim(jwt_t* j, const char* name) {
  char* json = jwt_get_grants_json(j, name);
  if (json == nullptr) return false;
  std::free(json);
  return true;
}

}  // namespace

bool is_user_subject(std::string_view s) {
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == s.size() || s.size() > 3071) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == '/' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '&' || c == 0x7f) return false;
  return s.find('@', at + 1) == std::string_view::npos;
}

bool is_tenant_domain(std::string_view s) {
  if (s.empty() || s.size() > 1023 || s.front() == '.' || s.back() == '.') return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == '@' || c == '/' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '&' || c == '\\' ||
        c == 0x7f)
      return false;
  return true;
}

std::optional<Role> parse_role(std::string_view s) {
  if (s == "analyst") return Role::analyst;
  if (s == "admin") return Role::admin;
  if (s == "client") return Role::client;
  if (s == "user") return Role::user;
  if (s == "service") return Role::service;
  return std::nullopt;
}

const char* role_name(Role r) {
  switch (r) {
    case Role::admin: return "admin";
    case Role::client: return "client";
    case Role::user: return "user";
    case Role::service: return "service";
    case Role::analyst: break;
  }
  return "analyst";
}

bool may_read_content(const TokenClaims& c) {
  return c.role == Role::admin || c.role == Role::service || (c.role == Role::analyst && c.content);
}

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

namespace {

// Signs role, iat, nbf, exp and the given string claims (empty values left out) with HS256.
std::string sign(std::string_view secret, Role role, std::int64_t ttl_seconds, std::int64_t now,
                 std::initializer_list<std::pair<const char*, std::string_view>> claims, bool content = false) {
  if (secret.empty()) throw std::invalid_argument("no JWT secret configured");
  if (ttl_seconds <= 0) throw std::invalid_argument("token lifetime must be positive");
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt_new failed");
  JwtPtr j(raw);
  const std::string key(secret);
  bool ok = jwt_set_alg(j.get(), JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(key.data()),
                        static_cast<int>(key.size())) == 0 &&
            jwt_add_grant(j.get(), "role", role_name(role)) == 0 && jwt_add_grant_int(j.get(), "iat", now) == 0 &&
            jwt_add_grant_int(j.get(), "nbf", now) == 0 && jwt_add_grant_int(j.get(), "exp", now + ttl_seconds) == 0;
  for (const auto& [name, value] : claims)
    if (ok && !value.empty()) ok = jwt_add_grant(j.get(), name, std::string(value).c_str()) == 0;
  if (ok && content) ok = jwt_add_grant_bool(j.get(), "content", 1) == 0;
  if (!ok) throw std::runtime_error("could not build the token");
  char* encoded = jwt_encode_str(j.get());
  if (encoded == nullptr) throw std::runtime_error("could not sign the token");
  std::string out(encoded);
  std::free(encoded);
  return out;
}

// A string claim, or "" when absent or not a string.
std::string string_claim(jwt_t* j, const char* name) {
  const char* v = jwt_get_grant(j, name);
  return v != nullptr ? std::string(v) : std::string();
}

}  // namespace

namespace {
void check_tenant(std::string_view tenant) {
  if (!tenant.empty() && !is_tenant_domain(tenant))
    throw std::invalid_argument("a tenant is a MUC domain such as rooms.example.org");
}
}  // namespace

std::string create_token(std::string_view secret, Role role, std::int64_t ttl_seconds, std::int64_t now,
                         std::string_view subject, std::string_view tenant, bool content) {
  check_tenant(tenant);
  if (content && role != Role::analyst) throw std::invalid_argument("only an analyst token carries the content claim");
  if (role == Role::client) throw std::invalid_argument("a client token names its session: use create_client_token");
  if (role == Role::user && !is_user_subject(subject))
    throw std::invalid_argument("a user token's subject must be the user's bare JID (user@host)");
  return sign(secret, role, ttl_seconds, now, {{"sub", subject}, {"tenant", tenant}}, content);
}

std::string create_client_token(std::string_view secret, std::string_view session, std::string_view room_id,
                                std::int64_t ttl_seconds, std::int64_t now, std::string_view tenant) {
  if (session.empty()) throw std::invalid_argument("a client token needs a session id");
  check_tenant(tenant);
  return sign(secret, Role::client, ttl_seconds, now, {{"session", session}, {"room_id", room_id}, {"tenant", tenant}});
}

std::string mint_client_token(std::string_view secret, std::string_view session_id, std::string_view room_id,
                              std::int64_t ttl_seconds, std::string_view tenant) {
  return create_client_token(secret, session_id, room_id, ttl_seconds, unix_now(), tenant);
}

ClientTokenSource client_token_source(std::string secret, std::int64_t ttl_seconds, std::string tenant) {
  if (secret.empty()) throw std::invalid_argument("no JWT secret configured");
  if (ttl_seconds <= 0) throw std::invalid_argument("token lifetime must be positive");
  check_tenant(tenant);
  return [secret = std::move(secret), ttl_seconds, tenant = std::move(tenant)](const std::string& session,
                                                                               const std::string& room_id) {
    return mint_client_token(secret, session, room_id, ttl_seconds, tenant);
  };
}

AuthResult verify_token(std::string_view secret, std::string_view token, std::int64_t now) {
  AuthResult r;
  if (secret.empty()) {
    r.error = "the server has no JWT secret";
    return r;
  }
  if (token.empty() || token.size() > 8192) {
    r.error = "malformed token";
    return r;
  }
  const std::string tok(token);
  const std::string key(secret);
  jwt_t* raw = nullptr;
  const int rc = jwt_decode(&raw, tok.c_str(), reinterpret_cast<const unsigned char*>(key.data()),
                            static_cast<int>(key.size()));
  JwtPtr j(raw);
  if (rc != 0 || !j) {
    r.error = "invalid token";
    return r;
  }
  // libjwt accepts whatever alg the token names (including "none"): only HS256 is ours.
  if (jwt_get_alg(j.get()) != JWT_ALG_HS256) {
    r.error = "token algorithm is not HS256";
    return r;
  }
  const auto exp = int_claim(j.get(), "exp");
  if (!exp) {
    r.error = "token has no numeric exp claim";
    return r;
  }
  if (now >= *exp) {
    r.error = "token expired";
    return r;
  }
  if (has_claim(j.get(), "nbf")) {
    const auto nbf = int_claim(j.get(), "nbf");
    if (!nbf) {
      r.error = "token nbf claim is not a number";
      return r;
    }
    if (now < *nbf) {
      r.error = "token not valid yet";
      return r;
    }
  }
  const char* role = jwt_get_grant(j.get(), "role");
  const auto parsed = role != nullptr ? parse_role(role) : std::nullopt;
  if (!parsed) {
    r.error = "token has no valid role claim (analyst, admin, client, user or service)";
    return r;
  }
  TokenClaims c;
  c.role = *parsed;
  c.expires = *exp;
  c.subject = string_claim(j.get(), "sub");
  c.content = c.role == Role::analyst && true_claim(j.get(), "content");
  if (c.role == Role::client) {
    // A client token speaks for exactly one session; without it, it speaks for nobody.
    c.session = string_claim(j.get(), "session");
    c.room_id = string_claim(j.get(), "room_id");
    if (c.session.empty() || c.session.size() > 256 || c.room_id.size() > 256) {
      r.error = "client token has no valid session claim";
      return r;
    }
  }
  // A tenant claim limits the token to one domain; a claim that names no domain (or is not
  // a string) limits it to nothing, so the token is refused rather than read as unlimited.
  if (has_claim(j.get(), "tenant")) {
    c.tenant = string_claim(j.get(), "tenant");
    // Stored domains are the room JIDs' as the core normalised them: lower case.
    for (char& ch : c.tenant) ch = static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
    if (!is_tenant_domain(c.tenant)) {
      r.error = "token tenant claim is not a MUC domain";
      return r;
    }
  }
  // A user token speaks for the person its subject names; without one, for nobody.
  if (c.role == Role::user && !is_user_subject(c.subject)) {
    r.error = "user token has no bare JID sub claim";
    return r;
  }
  r.claims = c;
  return r;
}

AuthResult verify_authorization(std::string_view secret, std::string_view header, std::int64_t now) {
  AuthResult r;
  if (header.empty()) {
    r.error = "missing bearer token (Authorization: Bearer <token>)";
    return r;
  }
  constexpr std::string_view kScheme = "bearer ";
  bool ok = header.size() > kScheme.size();
  for (std::size_t i = 0; ok && i < kScheme.size(); ++i)
    ok = static_cast<char>(header[i] | 0x20) == kScheme[i] || (kScheme[i] == ' ' && header[i] == ' ');
  if (!ok) {
    r.error = "Authorization header is not a bearer token";
    return r;
  }
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return verify_token(secret, token, now);
}

}  // namespace mucstream::analytics
