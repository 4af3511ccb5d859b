#pragma once
// Retention per data class (docs/operations.md, "Data lifecycle and privacy"):
//   events    whole monthly partitions of `events` whose every event is older than the
//             limit are detached and dropped (O(1), no DELETE bloat);
//   bodies    message bodies older than the limit are cleared: archive.payload becomes NULL
//             and `payload` leaves the message_sent / message_corrected events; the rows stay;
//   personal  sessions that ended before the limit lose their real JIDs and user agent:
//             users.userid becomes a pseudonym (mucstream_pseudonym, so distinct counts hold),
//             users.jid and users.useragent NULL, and `jid` / `bare_jid` / the user agent
//             leave the events and the archive of that period, and the reports of rooms
//             that ended before the limit name their participants by pseudonym.
// A limit of 0 days keeps the class forever. rooms (with their reports) and users rows are
// never deleted, so reports and counts survive the purge of the events they came from.
#include <pqxx/pqxx>

#include <cstdint>
#include <string>
#include <vector>

namespace mucstream::sql {

struct RetentionPolicy {
  int events_days = 0;
  int bodies_days = 0;
  int personal_days = 0;
  bool any() const { return events_days > 0 || bodies_days > 0 || personal_days > 0; }
};

struct PurgeReport {
  struct Partition {
    std::string name;
    std::string until;         // its upper bound (exclusive), UTC
    std::int64_t events = 0;   // rows it held
    std::string held_by;       // non-empty: kept, and why (a live room still needs its events)
  };
  std::vector<Partition> partitions;  // every partition past the events limit
  std::int64_t partitions_dropped = 0;
  std::int64_t events_dropped = 0;
  std::int64_t bodies = 0;    // archive rows and events whose body is (or would be) cleared
  std::int64_t sessions = 0;  // users rows whose personal fields are (or would be) replaced
  bool applied = false;
  bool skipped = false;       // another purge held the lock: nothing was done
};

// Counts (apply = false) or purges (apply = true) what the policy makes expire as of
// `now_ms` (Unix ms). Each class is its own transaction; a partition is kept (held_by)
// while a room that has not ended has events in it that no room snapshot covers, since a
// restore from PostgreSQL replays them. Purges take a session advisory lock: two
// materialisers (or a materialiser and mucctl) never purge at once.
PurgeReport purge(pqxx::connection& conn, const RetentionPolicy& policy, std::int64_t now_ms, bool apply);

}  // namespace mucstream::sql
