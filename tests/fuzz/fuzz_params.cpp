// A request's query string (after the HTTP layer split and percent-decoded it) -> the
// parameter getters every listing uses. Each getter returns a checked value or throws
// ParamError (a 400); anything else escaping is a bug. Accepted times must format and
// parse back to the same instant (the API returns them as `next` bounds).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "analytics/params.hpp"

namespace {

using namespace mucstream::analytics;

std::multimap<std::string, std::string> split(std::string_view s) {
  std::multimap<std::string, std::string> out;
  while (!s.empty() && out.size() < 32) {
    const auto amp = s.find('&');
    const std::string_view pair = s.substr(0, amp);
    const auto eq = pair.find('=');
    out.emplace(std::string(pair.substr(0, eq)), eq == std::string_view::npos ? "" : std::string(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    s.remove_prefix(amp + 1);
  }
  return out;
}

template <class F>
void getter(F&& f) {
  try {
    f();
  } catch (const ParamError&) {
  }
}

void check_time(std::string_view text) {
  const auto t = parse_rfc3339(text);
  if (!t) return;
  const auto again = parse_rfc3339(format_rfc3339(*t));
  if (!again || *again != *t) {
    std::fprintf(stderr, "time round trip failed for '%.*s'\n", static_cast<int>(text.size()), text.data());
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 16 * 1024) return -1;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto params = split(text);
  for (const auto& [k, v] : params) {
    check_time(v);
    (void)parse_uuid(v);
    (void)parse_duration_seconds(v);
  }
  Query q(params);
  static const std::set<std::string, std::less<>> types = {"occupant_joined", "message_sent", "room_created"};
  std::optional<UnixMicros> since, until;
  getter([&] { (void)q.list_of("type", types); });
  getter([&] { since = q.time("since"); });
  getter([&] { until = q.time("until"); });
  getter([&] { check_range(since, until); });
  getter([&] { (void)q.cursor("cursor", 'e'); });
  getter([&] { (void)q.integer("limit", 100, 1, 1000); });
  getter([&] { (void)q.one_of("order", {"asc", "desc"}); });
  getter([&] { (void)q.boolean("active"); });
  getter([&] { (void)q.text("name", 1023); });
  getter([&] { (void)q.uuid("room"); });
  getter([&] { q.check_all_used(); });
  return 0;
}
