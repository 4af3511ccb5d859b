#pragma once
// core::ArchiveReader over PostgreSQL: queries wait in a queue and a few threads, each with
// its own connection, answer them, so the room loop that asks never waits for the database.
//
// Consistency: a query carries the room's seq when it was asked (min_seq). The reader
// answers only once the materialiser has stored the room up to it (rooms.last_seq >=
// min_seq), so a message any occupant saw is in the archive query that follows it. While
// the store is behind, the query goes back in the queue to be checked again a little later
// (no thread sleeps on it); after catch_up_timeout_ms it fails with not_caught_up.
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "core/archive.hpp"

namespace mucstream::sql {

struct ArchiveReaderConfig {
  std::string pg;                       // libpq connection string
  std::uint32_t max_page = 100;         // archive.max_page: most messages per page
  std::uint32_t threads = 2;            // archive.reader_threads: connections and threads
  std::int64_t catch_up_timeout_ms = 3000;  // archive.catch_up_timeout_ms
  std::int64_t recheck_ms = 10;         // how often a query waiting for the store looks again
  std::size_t max_queued = 10000;       // beyond, queries fail at once with unavailable
};

class PgArchiveReader final : public core::ArchiveReader {
 public:
  explicit PgArchiveReader(ArchiveReaderConfig cfg);
  // Stops the threads; queries still queued are answered `unavailable`.
  ~PgArchiveReader() override;

  void query(core::ArchiveQuery q, std::function<void(core::ArchiveResult)> done) override;
  void ends(std::string room_id, std::int64_t min_seq, std::function<void(core::ArchiveEndsResult)> done) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mucstream::sql
