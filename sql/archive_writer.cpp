#include "sql/archive_writer.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <tuple>

#include "events/envelope.hpp"
#include "sql/stanza_ids.hpp"
#include "sql/uuid_array.hpp"

namespace mucstream::sql {
namespace {

using core::EventType;
namespace data = core::data;

constexpr const char* kCreateStaging =
    "CREATE TEMP TABLE IF NOT EXISTS mucstream_archive_new (LIKE archive INCLUDING DEFAULTS) ON COMMIT DELETE ROWS";

// Each room's newest ordinal and its stored archiving switch (NULL: no row yet, or a
// configuration from before the switch existed; both mean on).
constexpr const char* kRoomState =
    "SELECT r::text,"
    " (SELECT a.ordinal FROM archive a WHERE a.room_id = r ORDER BY a.stanza_id DESC LIMIT 1),"
    " (SELECT CASE WHEN jsonb_typeof(x.config->'enable_archiving') = 'boolean'"
    "              THEN (x.config->'enable_archiving')::boolean END FROM rooms x WHERE x.id = r)"
    " FROM unnest($1::uuid[]) r";

const std::vector<std::string> kArchiveColumns = {"room_id", "stanza_id", "room",      "time",    "seq",
                                                  "sessionid", "nick",    "occupant_id", "jid", "client_id",
                                                  "payload",  "ordinal"};

std::optional<std::string> nullable(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool archives(const core::RoomConfig& c) { return c.enable_archiving; }

// A correction of the original stays within one day of its time, a clock stepping back
// aside: the window that finds the original's events row (the UUIDv7 time is never before
// the event's time; the slack covers ids from other generators) and its corrections.
constexpr std::int64_t kDayMs = 24LL * 3600 * 1000;

void correct(pqxx::work& tx, const core::Event& e, const data::MessageCorrected& d) {
  const auto target = canonical_uuid(d.target);
  if (!target) return;  // the core names originals by stanza-id; anything else matches nothing
  // The newest correction wins whatever order redeliveries bring; a tombstone stays one.
  tx.exec_params0(
      "UPDATE archive SET payload = $3, edited = $4::timestamptz, edited_by_id = $5::uuid"
      " WHERE room_id = $1::uuid AND stanza_id = $2::uuid AND payload IS NOT NULL AND retracted IS NULL"
      "  AND (edited_by_id IS NULL OR edited_by_id < $5::uuid)",
      e.room_id, *target, d.payload, events::format_time(e.time_ms), e.id);
}

void retract(pqxx::work& tx, const core::Event& e, const data::MessageRetracted& d) {
  const auto target = canonical_uuid(d.target);
  if (!target) return;
  std::optional<std::string> by = d.by_nick && !d.by_nick->empty() ? d.by_nick : d.by;
  tx.exec_params0(
      "UPDATE archive SET payload = NULL, retracted = $3::timestamptz, moderated = $4, retracted_by = $5,"
      "  retract_reason = $6"
      " WHERE room_id = $1::uuid AND stanza_id = $2::uuid AND retracted IS NULL",
      e.room_id, *target, events::format_time(e.time_ms), d.moderated, by, nullable(d.reason));
  const std::int64_t t = uuid7_ms(*target);
  // The original (or whatever the target names): a primary-key probe in one or two partitions.
  tx.exec_params0(
      "UPDATE events SET data = data - 'payload'"
      " WHERE id = $2::uuid AND time >= $3::timestamptz AND time <= $4::timestamptz AND room_id = $1::uuid"
      "  AND type IN ('message_sent', 'message_corrected') AND data ? 'payload'",
      e.room_id, *target, events::format_time(t - kDayMs), events::format_time(t + kDayMs));
  // Its corrections, between it and this retraction: the room's events in that span.
  tx.exec_params0(
      "UPDATE events SET data = data - 'payload'"
      " WHERE room_id = $1::uuid AND time >= $3::timestamptz AND time <= $4::timestamptz"
      "  AND type = 'message_corrected' AND data->>'target' = $2 AND data ? 'payload'",
      e.room_id, *target, events::format_time(t - kDayMs), events::format_time(std::max(e.time_ms, t) + kDayMs));
}

void purge(pqxx::work& tx, const core::Event& e) {
  tx.exec_params0("UPDATE archive SET payload = NULL WHERE room_id = $1::uuid AND payload IS NOT NULL", e.room_id);
  tx.exec_params0(
      "UPDATE events SET data = data - 'payload'"
      " WHERE room_id = $1::uuid AND type IN ('message_sent', 'message_corrected') AND data ? 'payload'",
      e.room_id);
}

}  // namespace

bool touches_archive(const std::vector<core::Event>& batch) {
  return std::any_of(batch.begin(), batch.end(), [](const core::Event& e) {
    return e.type == EventType::message_sent || e.type == EventType::message_corrected ||
           e.type == EventType::message_retracted || e.type == EventType::room_destroyed;
  });
}

void store_archive_rows(pqxx::work& tx, const std::vector<core::Event>& batch, const std::set<std::string>* fresh) {
  // Per room, in seq order: the events that decide what is archived.
  std::map<std::string, std::vector<const core::Event*>> rooms;
  std::set<std::string> with_messages;
  for (const core::Event& e : batch) {
    if (e.type == EventType::message_sent) {
      if (fresh && !fresh->count(lower(e.id))) continue;
      const auto& m = std::get<data::MessageSent>(e.data);
      if (m.no_store.value_or(false)) continue;
      with_messages.insert(e.room_id);
    } else if (e.type != EventType::room_created && e.type != EventType::room_configured) {
      continue;
    }
    rooms[e.room_id].push_back(&e);
  }
  if (with_messages.empty()) return;

  struct State {
    std::int64_t ordinal = 0;
    bool archiving = true;
  };
  std::map<std::string, State> state;
  for (const auto& row : tx.exec_params(kRoomState, uuid_array(with_messages))) {
    State& s = state[row[0].as<std::string>()];
    if (!row[1].is_null()) s.ordinal = row[1].as<std::int64_t>();
    if (!row[2].is_null()) s.archiving = row[2].as<bool>();
  }

  if (fresh) tx.exec0(kCreateStaging);
  pqxx::stream_to copy(tx, fresh ? "mucstream_archive_new" : "archive", kArchiveColumns);
  for (auto& [room_id, events] : rooms) {
    if (!with_messages.count(room_id)) continue;
    std::stable_sort(events.begin(), events.end(), [](auto* a, auto* b) { return a->seq < b->seq; });
    State& s = state[lower(room_id)];
    for (const core::Event* e : events) {
      if (e->type == EventType::room_created) {
        s.archiving = archives(std::get<data::RoomCreated>(e->data).config);
      } else if (e->type == EventType::room_configured) {
        s.archiving = archives(std::get<data::RoomConfigured>(e->data).config);
      } else if (s.archiving) {
        const auto& m = std::get<data::MessageSent>(e->data);
        if (m.no_store.value_or(false) || (fresh && !fresh->count(lower(e->id)))) continue;
        copy << std::make_tuple(e->room_id, e->id, e->room, events::format_time(e->time_ms),
                                static_cast<long long>(e->seq), nullable(e->actor), m.nick, m.occupant_id,
                                nullable(m.jid), m.client_id, m.payload, static_cast<long long>(++s.ordinal));
      }
    }
  }
  copy.complete();
  // The columns copied, named: archive's generated domain column takes no value.
  static const std::string kInsertNew = [] {
    std::string cols;
    for (const auto& c : kArchiveColumns) cols += (cols.empty() ? "" : ", ") + c;
    return "INSERT INTO archive (" + cols + ") SELECT " + cols +
           " FROM mucstream_archive_new ON CONFLICT (room_id, stanza_id) DO NOTHING";
  }();
  if (fresh) tx.exec0(kInsertNew);
}

void apply_archive_changes(pqxx::work& tx, const std::vector<core::Event>& batch) {
  // Corrections before retractions: the core never corrects a retracted message, and a
  // retraction must win over a correction of the same batch either way.
  for (const core::Event& e : batch)
    if (e.type == EventType::message_corrected) correct(tx, e, std::get<data::MessageCorrected>(e.data));
  for (const core::Event& e : batch)
    if (e.type == EventType::message_retracted) retract(tx, e, std::get<data::MessageRetracted>(e.data));
  for (const core::Event& e : batch)
    if (e.type == EventType::room_destroyed && std::get<data::RoomDestroyed>(e.data).purge.value_or(false))
      purge(tx, e);
}

}  // namespace mucstream::sql
