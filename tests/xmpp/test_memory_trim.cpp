// The room loop's malloc_trim hook: it hands freed heap memory back (RSS falls), at most
// once per interval, only when much is free, and again when memory was reused and freed.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <vector>

#include "xmpp/memory_trim.hpp"

using namespace mucstream::xmpp;

namespace {
// AddressSanitizer's allocator replaces glibc's: mallinfo2 and malloc_trim do not see what it
// holds, and freed blocks wait in its quarantine. The hook is tested in the normal build.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kGlibcAllocator = false;
#else
constexpr bool kGlibcAllocator = true;
#endif

std::size_t rss_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
}
}  // namespace

constexpr std::size_t kMiB = 1u << 20;

TEST_CASE("memory trim: the watch trims what was freed since the last trim, also after reuse") {
  const TrimPolicy policy{.check_every_ms = 1000, .trim_every_ms = 10'000, .free_bytes = 16 * kMiB};
  FreeHeapWatch w;
  CHECK_FALSE(w.trim_due(15 * kMiB, 0, policy));  // too little free
  CHECK(w.trim_due(20 * kMiB, 1'000, policy));    // the first time it is enough
  // Within the interval nothing happens, however much is freed.
  CHECK_FALSE(w.trim_due(60 * kMiB, 5'000, policy));
  // The 40 MiB freed within it are trimmed once it is over; then an unchanged free heap is
  // left alone (what it holds was trimmed already).
  CHECK(w.trim_due(60 * kMiB, 11'000, policy));
  CHECK_FALSE(w.trim_due(60 * kMiB, 30'000, policy));
  // Rooms fill up again (the trimmed pages are reused) and are destroyed: the free total is
  // back at 62 MiB, 2 MiB from the last trim, but 52 MiB were resident again.
  CHECK_FALSE(w.trim_due(10 * kMiB, 31'000, policy));
  CHECK_FALSE(w.trim_due(8 * kMiB, 32'000, policy));
  CHECK(w.trim_due(62 * kMiB, 33'000, policy));
  // Less freed since than a quarter of the threshold: not worth a trim.
  CHECK_FALSE(w.trim_due(59 * kMiB, 44'000, policy));
  CHECK_FALSE(w.trim_due(62 * kMiB, 45'000, policy));
}

TEST_CASE("memory trim: freed heap memory goes back to the system, rate-limited" * doctest::skip(!kGlibcAllocator)) {
  const TrimPolicy every_time{.check_every_ms = 0, .trim_every_ms = 0, .free_bytes = 16u << 20};
  // Times past any the room loop's tests used (the rate limits are process-wide).
  const std::int64_t t0 = INT64_MAX / 4;
  trim_freed_memory(t0, every_time);  // start from a trimmed heap
  // 64 MiB in 4 KiB blocks: below the mmap threshold, so they live in the heap, as history does.
  std::vector<std::unique_ptr<char[]>> blocks;
  for (int i = 0; i < 16384; ++i) {
    blocks.emplace_back(new char[4096]);
    for (int j = 0; j < 4096; j += 512) blocks.back()[j] = static_cast<char>(i);
  }
  // Keep the newest block so the heap top is not simply given back by free() itself.
  auto keep = std::move(blocks.back());
  blocks.pop_back();
  const std::size_t full = rss_bytes();
  blocks.clear();
  blocks.shrink_to_fit();
  const std::size_t freed = rss_bytes();
  const std::uint64_t trims = trims_done();
  CHECK(trim_freed_memory(t0 + 1'000'000, every_time));
  CHECK(trims_done() == trims + 1);
  const std::size_t trimmed = rss_bytes();
  MESSAGE("RSS MiB: full ", full >> 20, ", after free ", freed >> 20, ", after trim ", trimmed >> 20);
  CHECK(freed > trimmed + (32u << 20));  // most of the 64 MiB went back
  // Rate limits: within the interval nothing happens, and an unchanged free heap is left alone.
  const TrimPolicy limited{.check_every_ms = 1000, .trim_every_ms = 10'000, .free_bytes = 16u << 20};
  CHECK_FALSE(trim_freed_memory(t0 + 1'000'500, limited));
  CHECK_FALSE(trim_freed_memory(t0 + 1'002'000, limited));
  CHECK_FALSE(trim_freed_memory(t0 + 1'020'000, every_time));  // nothing new was freed since the trim
  // The same memory used again and freed again: the free total ends where the trim left it,
  // but the pages are resident again, and the next trim hands them back.
  for (int i = 0; i < 16383; ++i) {
    blocks.emplace_back(new char[4096]);
    for (int j = 0; j < 4096; j += 512) blocks.back()[j] = static_cast<char>(i);
  }
  CHECK_FALSE(trim_freed_memory(t0 + 1'021'000, every_time));  // in use: nothing to hand back
  const std::size_t refilled = rss_bytes();
  blocks.clear();
  blocks.shrink_to_fit();
  CHECK(trim_freed_memory(t0 + 1'022'000, every_time));
  const std::size_t trimmed_again = rss_bytes();
  MESSAGE("RSS MiB: used again ", refilled >> 20, ", after the second trim ", trimmed_again >> 20);
  CHECK(refilled > trimmed_again + (32u << 20));
  keep.reset();
}
