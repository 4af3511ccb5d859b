#include "sql/archive_query.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include "events/envelope.hpp"
#include "sql/stanza_ids.hpp"
#include "sql/uuid_array.hpp"

namespace mucstream::sql {
namespace {

// An id's time is never before its message's time (the generator only moves forward), so
// `start` bounds ids exactly; `end` bounds them with this much slack for a clock that
// stepped back, and the time condition keeps the answer exact.
constexpr std::int64_t kClockSlackMs = 60 * 1000;

// The conditions of every statement below. Parameters: $1 room_id, $2 exclusive lower id,
// $3 exclusive upper id, $4 start, $5 end, $6 nick, $7 bare JID, $8 ids. A NULL parameter
// drops its condition: each statement is planned with its values (libpq's unnamed
// statement), so the planner folds those away and the primary key bounds the scan.
#define ARCHIVE_WHERE                                                                                     \
  " WHERE room_id = $1::uuid AND ($2::uuid IS NULL OR stanza_id > $2::uuid)"                              \
  " AND ($3::uuid IS NULL OR stanza_id < $3::uuid)"                                                       \
  " AND ($4::timestamptz IS NULL OR time >= $4::timestamptz) AND ($5::timestamptz IS NULL OR time <= $5::timestamptz)" \
  " AND ($6::text IS NULL OR nick = $6::text) AND ($7::text IS NULL OR split_part(jid, '/', 1) = $7::text)" \
  " AND ($8::uuid[] IS NULL OR stanza_id = ANY($8::uuid[]))"

#define MS(col) "(extract(epoch from " col ") * 1000)::bigint"

constexpr const char* kColumns =
    "SELECT stanza_id::text, " MS("time") ", nick, occupant_id, coalesce(jid, ''), coalesce(payload, ''), " MS("edited")
    ", edited_by_id::text, " MS("retracted") ", moderated, retracted_by, coalesce(retract_reason, ''), ordinal"
    " FROM archive";

struct Bounds {
  std::optional<std::string> lo, hi;  // exclusive
};

// The narrower of two exclusive bounds (canonical ids compare as text in time order).
void raise(std::optional<std::string>& lo, const std::optional<std::string>& v) {
  if (v && (!lo || *v > *lo)) lo = v;
}
void lower(std::optional<std::string>& hi, const std::optional<std::string>& v) {
  if (v && (!hi || *v < *hi)) hi = v;
}

struct Filter {
  std::string room_id;
  Bounds bounds;
  std::optional<std::string> start, end, nick, bare_jid, ids;
  bool counts_rows() const { return nick || bare_jid || ids; }
};

template <class... Extra>
pqxx::result run(pqxx::transaction_base& tx, const std::string& sql, const Filter& f, Extra&&... extra) {
  return tx.exec_params(sql, f.room_id, f.bounds.lo, f.bounds.hi, f.start, f.end, f.nick, f.bare_jid, f.ids,
                        std::forward<Extra>(extra)...);
}

core::ArchivedMessage message_of(const pqxx::row& r) {
  core::ArchivedMessage m;
  m.stanza_id = r[0].as<std::string>();
  m.time_ms = r[1].as<std::int64_t>();
  m.nick = r[2].as<std::string>();
  m.occupant_id = r[3].as<std::string>();
  m.jid = r[4].as<std::string>();
  m.payload = r[5].as<std::string>();
  if (!r[6].is_null()) m.edited_ms = r[6].as<std::int64_t>();
  if (!r[7].is_null()) m.edited_by_id = r[7].as<std::string>();
  if (!r[8].is_null()) m.retracted_ms = r[8].as<std::int64_t>();
  m.moderated = r[9].as<bool>();
  if (!r[10].is_null()) m.retracted_by = r[10].as<std::string>();
  m.retract_reason = r[11].as<std::string>();
  return m;
}

std::optional<std::int64_t> end_ordinal(pqxx::transaction_base& tx, const Filter& f, bool first) {
  static const std::string asc = std::string("SELECT ordinal FROM archive") + ARCHIVE_WHERE + " ORDER BY archive.stanza_id LIMIT 1";
  static const std::string desc =
      std::string("SELECT ordinal FROM archive") + ARCHIVE_WHERE + " ORDER BY archive.stanza_id DESC LIMIT 1";
  const pqxx::result r = run(tx, first ? asc : desc, f);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::int64_t>();
}

// Rows matching f, or nothing beyond kArchiveCountCap.
std::optional<std::int64_t> capped_count(pqxx::transaction_base& tx, const Filter& f) {
  static const std::string sql =
      std::string("SELECT count(*) FROM (SELECT 1 FROM archive") + ARCHIVE_WHERE + " LIMIT $9) t";
  const auto n = run(tx, sql, f, kArchiveCountCap + 1)[0][0].as<std::int64_t>();
  if (n > kArchiveCountCap) return std::nullopt;
  return n;
}

}  // namespace

core::ArchiveResult query_archive(pqxx::transaction_base& tx, const core::ArchiveQuery& q, std::uint32_t max_cap) {
  core::ArchivePage page;
  const auto room_id = canonical_uuid(q.room_id);
  if (!room_id) {  // no such room lifetime: nothing archived
    page.complete = true;
    if (q.want_count) page.count = 0;
    return page;
  }

  // Every id the query pages from must be a message of this archive (XEP-0059 §2.5).
  std::optional<std::string> after_id, before_id, rsm_after, rsm_before;
  std::set<std::string> named;
  for (auto [in, out] : {std::pair{&q.after_id, &after_id}, std::pair{&q.before_id, &before_id},
                         std::pair{&q.rsm_after, &rsm_after}, std::pair{&q.rsm_before, &rsm_before}}) {
    if (!*in) continue;
    *out = canonical_uuid(**in);
    if (!*out) return core::ArchiveFailure::item_not_found;
    named.insert(**out);
  }
  if (!named.empty()) {
    const auto found = tx.exec_params1(
                             "SELECT count(*) FROM archive WHERE room_id = $1::uuid AND stanza_id = ANY($2::uuid[])",
                             *room_id, uuid_array(named))[0]
                           .as<std::size_t>();
    if (found != named.size()) return core::ArchiveFailure::item_not_found;
  }

  // The query's own range (what count counts), then the page's (narrowed by XEP-0059).
  Filter f;
  f.room_id = *room_id;
  raise(f.bounds.lo, after_id);
  lower(f.bounds.hi, before_id);
  if (q.start_ms) {
    std::string floor = uuid7_floor(*q.start_ms);
    // "after the floor" is exclusive; the floor itself is never an id (version 0)
    raise(f.bounds.lo, floor);
    f.start = events::format_time(*q.start_ms);
  }
  if (q.end_ms) {
    lower(f.bounds.hi, uuid7_floor(*q.end_ms + 1 + kClockSlackMs));
    f.end = events::format_time(*q.end_ms);
  }
  f.nick = q.with_nick;
  f.bare_jid = q.with_bare_jid;
  if (!q.ids.empty()) {
    std::set<std::string> ids;
    for (const auto& id : q.ids)
      if (auto c = canonical_uuid(id)) ids.insert(*c);
    if (ids.empty()) ids.insert("00000000-0000-0000-0000-000000000000");  // none valid: matches nothing
    f.ids = uuid_array(ids);
  }
  Filter p = f;
  raise(p.bounds.lo, rsm_after);
  lower(p.bounds.hi, rsm_before);

  const bool backward = !rsm_after && (rsm_before || q.rsm_last_page);
  const std::uint32_t limit = std::min(q.max, max_cap);
  static const std::string forward_sql = std::string(kColumns) + ARCHIVE_WHERE + " ORDER BY archive.stanza_id LIMIT $9";
  static const std::string backward_sql =
      std::string(kColumns) + ARCHIVE_WHERE + " ORDER BY archive.stanza_id DESC LIMIT $9";
  const pqxx::result rows = run(tx, backward ? backward_sql : forward_sql, p, static_cast<long long>(limit) + 1);
  page.complete = rows.size() <= limit;
  std::optional<std::int64_t> front_ordinal;
  const std::size_t n = std::min<std::size_t>(rows.size(), limit);
  page.messages.reserve(n);
  for (std::size_t i = 0; i < n; ++i) page.messages.push_back(message_of(rows[static_cast<pqxx::result::size_type>(i)]));
  if (backward) std::reverse(page.messages.begin(), page.messages.end());
  if (n > 0) front_ordinal = rows[static_cast<pqxx::result::size_type>(backward ? n - 1 : 0)][12].as<std::int64_t>();

  if (q.want_count) {
    if (!f.counts_rows()) {
      // Ordinals are 1, 2, 3 … in id order, so a range's size is the difference of its ends.
      const auto first = end_ordinal(tx, f, true);
      if (!first) {
        page.count = 0;
      } else {
        page.count = *end_ordinal(tx, f, false) - *first + 1;
        if (front_ordinal) page.first_index = *front_ordinal - *first;
      }
    } else {
      page.count = capped_count(tx, f);
      if (page.count && !page.messages.empty()) {
        Filter before = f;
        lower(before.bounds.hi, page.messages.front().stanza_id);
        page.first_index = capped_count(tx, before);
      }
    }
  }
  if (q.flip) {
    std::reverse(page.messages.begin(), page.messages.end());
    // XEP-0059's index belongs to the first item returned: now the newest of the page
    if (page.first_index && !page.messages.empty())
      page.first_index = *page.first_index + static_cast<std::int64_t>(page.messages.size()) - 1;
  }
  return page;
}

core::ArchiveEnds archive_ends(pqxx::transaction_base& tx, const std::string& room_id) {
  core::ArchiveEnds ends;
  const auto id = canonical_uuid(room_id);
  if (!id) return ends;
  const pqxx::result r = tx.exec_params(
      "(SELECT stanza_id::text, " MS("time") " FROM archive WHERE room_id = $1::uuid ORDER BY archive.stanza_id LIMIT 1)"
      " UNION ALL"
      " (SELECT stanza_id::text, " MS("time") " FROM archive WHERE room_id = $1::uuid ORDER BY archive.stanza_id DESC LIMIT 1)",
      *id);
  if (r.size() == 2) {
    ends.first_id = r[0][0].as<std::string>();
    ends.first_ms = r[0][1].as<std::int64_t>();
    ends.last_id = r[1][0].as<std::string>();
    ends.last_ms = r[1][1].as<std::int64_t>();
  }
  return ends;
}

}  // namespace mucstream::sql
