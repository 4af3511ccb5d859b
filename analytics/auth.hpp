#pragma once
// Bearer JWT authentication: HS256 with one configured secret, a `role` claim (analyst reads,
// admin also manages rooms, client reports telemetry for one occupant session), a required
// `exp` and an optional `nbf`, both checked here because libjwt 1.10 trusts the token's own
// `alg` header and never looks at times.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace mucstream::analytics {

// client: a WebRTC client's token for POST /v1/telemetry only, bound to one session by its
// `session` claim (and optionally to one room by `room_id`); it reads nothing.
// user: a person's token, its `sub` their bare JID: reads the messages of the rooms that
// person may read and their own list of conversations, nothing else.
// service: a back-end's token: reads like an analyst and may post messages from the
// service into live rooms (POST /v1/rooms/{room}/messages), but does not administer rooms.
enum class Role { analyst = 1, admin = 2, client = 3, user = 4, service = 5 };
std::optional<Role> parse_role(std::string_view);
// A user token's subject: a bare JID (local@domain, no resource, no markup characters).
bool is_user_subject(std::string_view);
const char* role_name(Role);

// A tenant is a MUC domain (rooms.acme.example): a token with a `tenant` claim sees only that
// domain's rooms, sessions, events and live rooms on every route. A claim that is not a
// plain domain name makes the token invalid, so "" never reads as "no tenant".
bool is_tenant_domain(std::string_view);

struct TokenClaims {
  Role role = Role::analyst;
  std::string subject;   // "sub", may be empty
  std::int64_t expires = 0;  // "exp", seconds since the epoch
  std::string session;   // client tokens: the occupant session it speaks for ("session")
  std::string room_id;   // client tokens: the room id it is limited to ("room_id"), may be empty
  std::string tenant;    // "tenant": the MUC domain this token is limited to; empty: every domain
  // analyst tokens: also message bodies and people's JIDs and user agents ("content": true),
  // as the analyst_content database role reads them; without it an analyst reads numbers.
  bool content = false;
};

// Whether a token may read message bodies, real JIDs and user agents over HTTP: admin and
// service tokens always, analyst tokens with the content claim. (User tokens have their own
// rules: the rooms they may read, without other people's JIDs.)
bool may_read_content(const TokenClaims&);

struct AuthResult {
  std::optional<TokenClaims> claims;  // set when the token is good
  std::string error;                  // why not, for the 401 message
};

// Signs {"role","exp"=now+ttl,"iat"=now,"nbf"=now,"sub"} with HS256. Throws
// std::invalid_argument for an empty secret, a non-positive ttl, Role::client (a client
// token needs its session: create_client_token) or Role::user without a bare JID subject.
// `tenant` (not empty) adds the tenant claim; throws std::invalid_argument when it is not a
// domain name (is_tenant_domain). `content` adds "content": true; throws
// std::invalid_argument on a role other than analyst (the others' access does not depend on it).
std::string create_token(std::string_view secret, Role role, std::int64_t ttl_seconds, std::int64_t now,
                         std::string_view subject = {}, std::string_view tenant = {}, bool content = false);

// A client token: {"role":"client","session","room_id" (when not empty),"exp","iat","nbf"}.
// Throws std::invalid_argument for an empty secret or session, or a non-positive ttl.
std::string create_client_token(std::string_view secret, std::string_view session, std::string_view room_id,
                                std::int64_t ttl_seconds, std::int64_t now, std::string_view tenant = {});

// The same, valid from now: what the room service hands a joining client (see
// RoomService::set_telemetry_token_source) so it can POST /v1/telemetry for its session.
std::string mint_client_token(std::string_view secret, std::string_view session_id, std::string_view room_id,
                              std::int64_t ttl_seconds, std::string_view tenant = {});

// Verifies a compact JWT (without "Bearer "). `now` in seconds since the epoch.
AuthResult verify_token(std::string_view secret, std::string_view token, std::int64_t now);

// Verifies an Authorization header value ("Bearer <token>", scheme case-insensitive).
AuthResult verify_authorization(std::string_view secret, std::string_view header, std::int64_t now);

std::int64_t unix_now();

// mint_client_token bound to a secret, lifetime and tenant, shaped for the room service's
// token source: (session id, room id) -> token. The room service passes its MUC domain as
// `tenant`, so an occupant's token can report for rooms of that domain only, whatever room
// id it names. Throws std::invalid_argument for an empty secret or a tenant that is not a
// domain name.
using ClientTokenSource = std::function<std::string(const std::string& session_id, const std::string& room_id)>;
ClientTokenSource client_token_source(std::string secret, std::int64_t ttl_seconds, std::string tenant = {});

}  // namespace mucstream::analytics
