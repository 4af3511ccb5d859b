// The room loop's malloc_trim hook: it hands freed heap memory back (RSS falls), at most
// once per interval, and only when much is free.
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
  keep.reset();
}
