#pragma once
// The archive table kept by the EventWriter, inside the transaction that stores the events,
// so the archive never disagrees with the event log:
//  - message_sent → one archive row, unless the message carried an XEP-0334 no-store hint or
//    the room's configuration had archiving off when it was sent (the configuration the
//    materialiser last stored for the room, changed by room_created/room_configured events
//    earlier in the same batch). Only events this transaction stored get a row, so a
//    redelivered message cannot appear after its room turned archiving off.
//  - message_corrected → the original's row shows the new payload, edited, edited_by_id.
//  - message_retracted → the original's row becomes a tombstone (payload NULL) and the body
//    leaves the events table too: data.payload is removed from the original and from every
//    correction of it.
//  - room_destroyed with purge → every row of that room lifetime loses its payload, and so
//    do its message_sent and message_corrected events.
// All of it is idempotent: a batch written twice changes nothing.
#include <pqxx/pqxx>

#include <set>
#include <string>
#include <vector>

#include "core/event.hpp"

namespace mucstream::sql {

// Appends the archive rows of the batch's message_sent events. `fresh`: the ids (lower
// case) this transaction stored, or null when it stored the whole batch; then the rows are
// copied straight into archive (a row already there fails the COPY with a unique violation,
// as the events COPY does), else they go through a staging table and ON CONFLICT DO NOTHING.
void store_archive_rows(pqxx::work& tx, const std::vector<core::Event>& batch, const std::set<std::string>* fresh);

// Applies the batch's corrections, retractions and purges to archive and events.
void apply_archive_changes(pqxx::work& tx, const std::vector<core::Event>& batch);

// Whether a batch has anything for the two functions above (most batches of other events do not).
bool touches_archive(const std::vector<core::Event>& batch);

}  // namespace mucstream::sql
