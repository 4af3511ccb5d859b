#pragma once
// A room's message archive (XEP-0313 on rooms, XEP-0059 paging) as the core sees it: what a
// query asks, what a page holds, and the reader that answers it. The reader runs off the
// room loop (sql/ implements it over PostgreSQL; tests implement it in memory); the room
// decides who may ask and up to which message the answer must reach.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace mucstream::core {

// One query against one room lifetime's archive. Ids are stanza-ids (UUIDv7, so their order
// is the archive's order). "after"/"before" bounds are exclusive.
struct ArchiveQuery {
  std::string room;     // bare room JID
  std::string room_id;  // the live room's id: an archive never crosses room lifetimes
  // The room's seq when the query arrived: the answer includes every message up to it, so
  // a message any occupant saw is in the archive query that follows it.
  std::int64_t min_seq = 0;

  // XEP-0313 form fields.
  std::optional<std::string> with_nick;      // `with` = room@service/nick
  std::optional<std::string> with_bare_jid;  // `with` = a real bare JID (only for askers who may see real JIDs)
  std::optional<std::int64_t> start_ms;      // inclusive
  std::optional<std::int64_t> end_ms;        // inclusive
  std::optional<std::string> after_id;       // XEP-0313 `after-id`
  std::optional<std::string> before_id;      // XEP-0313 `before-id`
  std::vector<std::string> ids;              // XEP-0313 `ids`: exactly these messages

  // XEP-0059 result set management.
  std::uint32_t max = 50;                  // clamped by the reader to its own maximum
  std::optional<std::string> rsm_after;    // page forward after this id
  std::optional<std::string> rsm_before;   // page backward before this id
  bool rsm_last_page = false;              // <before/> empty: the newest page
  bool flip = false;                       // XEP-0313 <flip-page/>: newest first within the page
  bool want_count = true;                  // fill ArchivePage::count
};

// One archived message as it is now: corrected text, or a tombstone once retracted.
struct ArchivedMessage {
  std::string stanza_id;
  std::int64_t time_ms = 0;
  std::string nick;         // empty: a message from the room itself (e.g. from the HTTP API)
  std::string occupant_id;  // XEP-0421
  std::string jid;          // the sender's real full JID (rendered only to those who may see it)
  std::string payload;      // current children, byte-for-byte; empty when retracted or purged
  std::optional<std::int64_t> edited_ms;     // time of the latest correction
  std::optional<std::string> edited_by_id;   // stanza-id of the latest correction
  std::optional<std::int64_t> retracted_ms;  // set: a tombstone
  bool moderated = false;                    // retracted by a moderator
  std::optional<std::string> retracted_by;   // moderator's nick or admin name
  std::string retract_reason;
  friend bool operator==(const ArchivedMessage&, const ArchivedMessage&) = default;
};

// A page in archive order (oldest first; flip reverses it). `complete` follows XEP-0313:
// true when the page reaches the end of the archive in the direction of paging.
struct ArchivePage {
  std::vector<ArchivedMessage> messages;
  bool complete = false;
  std::optional<std::int64_t> count;        // matching messages in the whole query
  std::optional<std::int64_t> first_index;  // XEP-0059 <first index=…>
};

// XEP-0313 metadata: the archive's first and last message.
struct ArchiveEnds {
  std::optional<std::string> first_id;
  std::optional<std::int64_t> first_ms;
  std::optional<std::string> last_id;
  std::optional<std::int64_t> last_ms;
};

enum class ArchiveFailure {
  item_not_found,  // an after/before id that is not in this archive (XEP-0059 §2.5)
  not_caught_up,   // the store did not reach min_seq in time: retry (error type wait)
  unavailable,     // the store is down or not configured
};

using ArchiveResult = std::variant<ArchivePage, ArchiveFailure>;
using ArchiveEndsResult = std::variant<ArchiveEnds, ArchiveFailure>;

// Answers archive queries without blocking its caller. `done` is called exactly once, on any
// thread (the room loop hands it back to itself).
class ArchiveReader {
 public:
  virtual ~ArchiveReader() = default;
  virtual void query(ArchiveQuery q, std::function<void(ArchiveResult)> done) = 0;
  virtual void ends(std::string room_id, std::int64_t min_seq, std::function<void(ArchiveEndsResult)> done) = 0;
};

}  // namespace mucstream::core
