#include "core/history_bounds.hpp"

#include <functional>
#include <queue>
#include <tuple>
#include <vector>

namespace mucstream::core::detail {

void trim_room_history(Room& r, const HistoryLimits& limits) {
  while (!r.history.empty() &&
         (r.history.size() > r.config.history_length || (limits.room_bytes != 0 && r.history.bytes() > limits.room_bytes)))
    r.history.pop_front();
}

std::size_t& history_total(Service& s) {
  if (!s.history_total.bytes) {
    std::size_t n = 0;
    for (const auto& [jid, r] : s.rooms) n += r.history.bytes();
    s.history_total.bytes = n;
  }
  return *s.history_total.bytes;
}

void trim_service_history(Service& s, const HistoryLimits& limits) {
  if (limits.total_bytes == 0) return;
  std::size_t& total = history_total(s);
  if (total <= limits.total_bytes) return;
  const std::size_t target = limits.total_bytes - limits.total_bytes / 8;
  // Each room's oldest entry, oldest first; ties go by room JID so the order is total.
  using Front = std::tuple<std::int64_t, const std::string*, Room*>;
  auto later = [](const Front& a, const Front& b) {
    if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) > std::get<0>(b);
    return *std::get<1>(a) > *std::get<1>(b);
  };
  std::priority_queue<Front, std::vector<Front>, decltype(later)> fronts(later);
  for (auto& [jid, r] : s.rooms)
    if (!r.history.empty()) fronts.emplace(r.history.front().time_ms, &jid, &r);
  while (total > target && !fronts.empty()) {
    auto [time, jid, r] = fronts.top();
    fronts.pop();
    total -= counted_bytes(r->history.front());
    r->history.pop_front();
    if (!r->history.empty()) fronts.emplace(r->history.front().time_ms, jid, r);
  }
}

}  // namespace mucstream::core::detail
