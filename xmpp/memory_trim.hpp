#pragma once
// Hands freed heap memory back to the system. glibc keeps freed memory in its arenas; after
// large frees (history of big messages dropped, rooms destroyed) the process would keep its
// peak RSS for ever. Called from the room loop every turn; cheap unless it acts.
#include <cstddef>
#include <cstdint>

namespace mucstream::xmpp {

struct TrimPolicy {
  std::int64_t check_every_ms = 1000;    // how often the free heap is measured
  std::int64_t trim_every_ms = 10'000;   // at most one malloc_trim per this long
  std::size_t free_bytes = 16u << 20;    // trim when this much freed memory is held
};

// The decision, apart from glibc. A trim leaves its pages free but no longer resident, and
// they still count as free; pages reused since are resident again once freed, even when the
// free total is back where the trim left it. So what a trim could hand back is the free heap
// now minus the lowest it was since the last trim, as sampled at each check.
class FreeHeapWatch {
 public:
  // One check: true when a trim is due now (it then counts as done at `mono_ms`).
  bool trim_due(std::size_t free_now, std::int64_t mono_ms, const TrimPolicy& policy);

 private:
  std::size_t lowest_since_trim_ = 0;  // nothing trimmed yet: every free byte may be resident
  std::int64_t last_trim_ms_ = INT64_MIN / 2;
};

// Returns true when it trimmed. Safe from several threads (rate limits are shared).
bool trim_freed_memory(std::int64_t mono_ms, const TrimPolicy& policy = {});

// How many trims ran in this process, for tests.
std::uint64_t trims_done();

}  // namespace mucstream::xmpp
