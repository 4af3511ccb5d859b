#include "sql/archive_page.hpp"

#include <algorithm>
#include <string>

namespace mucstream::sql {
namespace {

#define ARCHIVE_COLUMNS                                                                                          \
  "stanza_id::text, (extract(epoch from time) * 1000)::bigint, nick, occupant_id, coalesce(jid, ''), "          \
  "coalesce(payload, ''), (extract(epoch from edited) * 1000)::bigint, edited_by_id::text, "                    \
  "(extract(epoch from retracted) * 1000)::bigint, moderated, retracted_by, coalesce(retract_reason, '') "

// Rows after (or before) an id, in the direction of paging, one more than asked so the
// caller knows whether the page reaches the end.
const char* const kAfter = "SELECT " ARCHIVE_COLUMNS
                           "FROM archive WHERE room_id = $1::uuid AND ($2::uuid IS NULL OR stanza_id > $2::uuid) "
                           "ORDER BY stanza_id LIMIT $3";
const char* const kBefore = "SELECT " ARCHIVE_COLUMNS
                            "FROM archive WHERE room_id = $1::uuid AND ($2::uuid IS NULL OR stanza_id < $2::uuid) "
                            "ORDER BY stanza_id DESC LIMIT $3";
const char* const kExists = "SELECT 1 FROM archive WHERE room_id = $1::uuid AND stanza_id = $2::uuid";

core::ArchivedMessage message(const pqxx::row& r) {
  core::ArchivedMessage m;
  m.stanza_id = r[0].as<std::string>();
  m.time_ms = r[1].as<long long>();
  m.nick = r[2].as<std::string>();
  m.occupant_id = r[3].as<std::string>();
  m.jid = r[4].as<std::string>();
  m.payload = r[5].as<std::string>();
  if (!r[6].is_null()) m.edited_ms = r[6].as<long long>();
  if (!r[7].is_null()) m.edited_by_id = r[7].as<std::string>();
  if (!r[8].is_null()) m.retracted_ms = r[8].as<long long>();
  m.moderated = r[9].as<bool>();
  if (!r[10].is_null()) m.retracted_by = r[10].as<std::string>();
  m.retract_reason = r[11].as<std::string>();
  return m;
}

}  // namespace

core::ArchiveResult archive_page(pqxx::transaction_base& tx, const core::ArchiveQuery& q, std::uint32_t max_cap) {
  const long long max = std::clamp<std::uint32_t>(q.max, 1, std::max<std::uint32_t>(max_cap, 1));
  const bool forward = q.rsm_after.has_value();
  const std::optional<std::string>& bound = forward ? q.rsm_after : q.rsm_before;
  // XEP-0059 §2.5: paging from an id this archive does not hold is item-not-found.
  if (bound && tx.exec_params(kExists, q.room_id, *bound).empty()) return core::ArchiveFailure::item_not_found;
  const pqxx::result rows = tx.exec_params(forward ? kAfter : kBefore, q.room_id, bound, max + 1);
  core::ArchivePage page;
  page.complete = static_cast<long long>(rows.size()) <= max;
  for (const auto& r : rows) {
    if (static_cast<long long>(page.messages.size()) == max) break;
    page.messages.push_back(message(r));
  }
  if (!forward) std::reverse(page.messages.begin(), page.messages.end());  // archive order: oldest first
  return page;
}

}  // namespace mucstream::sql
