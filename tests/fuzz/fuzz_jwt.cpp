// The JWT check of every API request. Two ways in per input: the bytes as a bearer token
// (the header an unauthenticated client controls), and the bytes as "<header JSON>\n<claims
// JSON>" signed with the server's secret, so the claim checks (alg, exp, nbf, role, session)
// see any JSON a token could carry. A token the check accepts must name a role.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "analytics/auth.hpp"
#include "analytics/params.hpp"

namespace {

using namespace mucstream::analytics;

constexpr std::string_view kSecret = "fuzz-secret-0123456789abcdef";
constexpr std::int64_t kNow = 1'800'000'000;

std::string sign(std::string_view header, std::string_view claims) {
  std::string text = base64url_encode(header) + "." + base64url_encode(claims);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), kSecret.data(), static_cast<int>(kSecret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &len);
  return text + "." + base64url_encode(std::string_view(reinterpret_cast<const char*>(mac), len));
}

void check(const AuthResult& r) {
  if (r.claims && (r.claims->expires <= kNow || (r.claims->role == Role::client && r.claims->session.empty())))
    std::abort();  // accepted an expired token, or a client token that speaks for no session
  if (!r.claims && r.error.empty()) std::abort();  // refused without saying why (the 401 message)
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16 * 1024) return -1;
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  check(verify_token(kSecret, in, kNow));
  check(verify_authorization(kSecret, "Bearer " + std::string(in), kNow));
  const auto nl = in.find('\n');
  const std::string_view header = nl == std::string_view::npos ? R"({"alg":"HS256","typ":"JWT"})" : in.substr(0, nl);
  const std::string_view claims = nl == std::string_view::npos ? in : in.substr(nl + 1);
  check(verify_token(kSecret, sign(header, claims), kNow));
  return 0;
}
