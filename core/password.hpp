#pragma once
// Room passwords are stored (in state and in events) only as PBKDF2-HMAC-SHA256 with a
// per-room salt, encoded "pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>".
#include <string>
#include <string_view>

namespace mucstream::core {

inline constexpr int kPasswordIterations = 2000;  // a shared room secret, checked on the loop

std::string hash_password(std::string_view password, std::string_view salt, int iterations = kPasswordIterations);
// Constant-time comparison against a stored hash; false for a malformed stored value.
bool verify_password(std::string_view password, std::string_view stored);
std::string to_hex(std::string_view bytes);

}  // namespace mucstream::core
