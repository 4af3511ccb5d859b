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

// Returns true when it trimmed. Safe from several threads (rate limits are shared).
bool trim_freed_memory(std::int64_t mono_ms, const TrimPolicy& policy = {});

// How many trims ran in this process, for tests.
std::uint64_t trims_done();

}  // namespace mucstream::xmpp
