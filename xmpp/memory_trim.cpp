#include "xmpp/memory_trim.hpp"

#include <malloc.h>

#include <atomic>
#include <string>

#include "core/log.hpp"

namespace mucstream::xmpp {
namespace {
std::atomic<std::int64_t> last_check{INT64_MIN / 2};
std::atomic<std::int64_t> last_trim{INT64_MIN / 2};
std::atomic<std::size_t> free_at_last_trim{0};
std::atomic<std::uint64_t> trims{0};
}  // namespace

bool trim_freed_memory(std::int64_t mono_ms, const TrimPolicy& policy) {
  std::int64_t checked = last_check.load(std::memory_order_relaxed);
  if (mono_ms - checked < policy.check_every_ms) return false;
  if (!last_check.compare_exchange_strong(checked, mono_ms)) return false;
  if (mono_ms - last_trim.load(std::memory_order_relaxed) < policy.trim_every_ms) return false;
#if defined(__GLIBC__)
  // mallinfo2 walks the arenas' free lists: once per check_every_ms, not per turn. Trimmed
  // memory still counts as free there, so a trim waits until the free heap has changed.
  const std::size_t free_now = mallinfo2().fordblks;
  const std::size_t before = free_at_last_trim.load(std::memory_order_relaxed);
  const std::size_t moved = free_now > before ? free_now - before : before - free_now;
  if (free_now < policy.free_bytes || moved < policy.free_bytes / 4) return false;
  last_trim.store(mono_ms, std::memory_order_relaxed);
  malloc_trim(0);
  free_at_last_trim.store(free_now, std::memory_order_relaxed);
  trims.fetch_add(1, std::memory_order_relaxed);
  core::log_write(core::LogLevel::info, "memory",
                  "handed freed heap memory back to the system (" + std::to_string(free_now >> 20) + " MiB free)");
  return true;
#else
  return false;
#endif
}

std::uint64_t trims_done() { return trims.load(std::memory_order_relaxed); }

}  // namespace mucstream::xmpp
