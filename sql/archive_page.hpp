#pragma once
// One page of a room lifetime's archive, for the HTTP messages route (PgReadStore::archive).
// The XMPP archive (XEP-0313) and this route must page the same way, so this is meant to be
// the one paging query of sql/archive_query.hpp; until that is in the tree it answers the
// subset the HTTP route asks for: the newest page (rsm_last_page), a page before an id
// (rsm_before) and a page after an id (rsm_after), by index range scans on the archive's
// primary key (room_id, stanza_id), without a count.
#include <cstdint>
#include <pqxx/pqxx>

#include "core/archive.hpp"

namespace mucstream::sql {

core::ArchiveResult archive_page(pqxx::transaction_base& tx, const core::ArchiveQuery& q, std::uint32_t max_cap);

}  // namespace mucstream::sql
