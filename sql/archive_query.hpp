#pragma once
// THE archive paging query (XEP-0313 with XEP-0059 result sets), synchronous, on a
// transaction the caller owns: the asynchronous reader (sql/pg_archive_reader.hpp) and the
// HTTP messages route both page through it.
//
// Every page is one index range scan on archive's primary key (room_id, stanza_id), forward
// or backward, reading max + 1 rows (the extra row says whether the page is the last one in
// its direction). `count` and `first_index` come from the rows' ordinals (their position in
// the room's archive) at the ends of the range: two more index probes, never a count of the
// rows. Only a query filtered by `with` or `ids` counts rows, and then at most
// kArchiveCountCap of them; beyond, count and first_index are left out (both are optional
// in XEP-0059).
#include <pqxx/pqxx>

#include <cstdint>
#include <string>

#include "core/archive.hpp"

namespace mucstream::sql {

inline constexpr std::int64_t kArchiveCountCap = 2000;

// A page of `q` (at most min(q.max, max_cap) messages), or item_not_found when an
// after/before id (XEP-0059 or the XEP-0313 form's after-id/before-id) is not a message of
// this room's archive.
core::ArchiveResult query_archive(pqxx::transaction_base& tx, const core::ArchiveQuery& q, std::uint32_t max_cap);

// The archive's first and last message (XEP-0313 metadata); both empty for an empty archive.
core::ArchiveEnds archive_ends(pqxx::transaction_base& tx, const std::string& room_id);

}  // namespace mucstream::sql
