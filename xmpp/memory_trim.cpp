#include "xmpp/memory_trim.hpp"

#include <malloc.h>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <string>

#include "core/log.hpp"

namespace mucstream::xmpp {

bool FreeHeapWatch::trim_due(std::size_t free_now, std::int64_t mono_ms, const TrimPolicy& policy) {
  lowest_since_trim_ = std::min(lowest_since_trim_, free_now);
  if (mono_ms - last_trim_ms_ < policy.trim_every_ms) return false;
  if (free_now < policy.free_bytes || free_now - lowest_since_trim_ < policy.free_bytes / 4) return false;
  last_trim_ms_ = mono_ms;
  lowest_since_trim_ = free_now;
  return true;
}

namespace {
std::atomic<std::int64_t> last_check{INT64_MIN / 2};
std::mutex watch_mutex;
FreeHeapWatch watch;  // one heap per process, whichever room loop checks it
std::atomic<std::uint64_t> trims{0};
}  // namespace

bool trim_freed_memory(std::int64_t mono_ms, const TrimPolicy& policy) {
  std::int64_t checked = last_check.load(std::memory_order_relaxed);
  if (mono_ms - checked < policy.check_every_ms) return false;
  if (!last_check.compare_exchange_strong(checked, mono_ms)) return false;
#if defined(__GLIBC__)
  // mallinfo2 walks the arenas' free lists: once per check_every_ms, not per turn. It runs
  // between trims too, so that the watch sees freed memory being reused.
  const std::size_t free_now = mallinfo2().fordblks;
  {
    std::lock_guard<std::mutex> lock(watch_mutex);
    if (!watch.trim_due(free_now, mono_ms, policy)) return false;
  }
  malloc_trim(0);
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
