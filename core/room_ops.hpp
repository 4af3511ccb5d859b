#pragma once
// Internal helpers shared by the feature files: emitting events with per-room sequence
// numbers, rendering occupant presence for a recipient, and the rejections every feature uses.
#include <optional>
#include <string>
#include <vector>

#include "core/decide.hpp"

namespace mucstream::core::detail {

// Appends events to a decision, numbering them after the room's last seq.
class Emitter {
 public:
  Emitter(Decision& d, Context& ctx, std::string room, std::string room_id, std::uint64_t last_seq)
      : d_(d), ctx_(ctx), room_(std::move(room)), room_id_(std::move(room_id)), seq_(last_seq) {}
  Emitter(Decision& d, Context& ctx, const Room& r) : Emitter(d, ctx, r.jid, r.room_id, r.seq) {}

  // The event carrying `data`; its type is the type `data` belongs to.
  Event& emit(std::string actor, EventData data, std::optional<std::string> peer = std::nullopt);
  std::int64_t now_ms() const { return ctx_.now_ms; }  // the decision's time, for durations

 private:
  Decision& d_;
  Context& ctx_;
  std::string room_, room_id_;
  std::uint64_t seq_;
};

// The presence of `o` as the recipient (with `recipient_role`) sees it.
PresenceOut presence_of(const Room& r, const Occupant& o, const std::string& to, Role recipient_role);

// Every session of every occupant, with the occupant's role, for broadcasts.
struct Recipient {
  const std::string* full_jid;
  const Occupant* occupant;
};
std::vector<Recipient> recipients(const Room& r);
std::vector<std::string> all_session_jids(const Room& r);
// A message of `kind` from occupant `from` to every session in the room.
MessageOut room_message(const Room& r, const Occupant& from, MessageKind kind);

// Sends each session `presence_of(subject)` adjusted by `adjust`; sessions of the subject
// itself get status 110.
template <class Adjust>
void broadcast_presence(Decision& d, const Room& r, const Occupant& subject, Adjust&& adjust) {
  for (const auto& rc : recipients(r)) {
    PresenceOut p = presence_of(r, subject, *rc.full_jid, rc.occupant->role);
    adjust(p);
    if (rc.occupant->nick == subject.nick) p.status.push_back(status::kSelf);
    d.deliveries.emplace_back(std::move(p));
  }
}

// The requester's standing in the room: their occupant role (if joined) and affiliation.
Actor actor_in(const Room& r, const Requester& by);
// The session id to record as actor of an event the requester caused ("" for admins or
// non-occupants such as an owner configuring from outside the room).
std::string actor_session(const Room& r, const Requester& by);
// "by" field for event data: the admin name or the requester's bare JID.
std::string by_name(const Requester& by);

class CallTeardown;  // calls.hpp
// Emits occupant_left for every session of `o`, with `reason`, each preceded by the end of
// that session's calls, screen share and real-time text (see CallTeardown).
// `how` carries who removed them and why (kicks, bans, lost membership); its nick and
// reason are filled in here.
void emit_leave_all(Emitter& e, CallTeardown& calls, const Occupant& o, const std::string& reason,
                    data::OccupantLeft how = {});
// When the decision leaves a non-persistent room without occupants, the room goes (§10.9
// and the usual service behaviour): emits room_destroyed with reason "empty".
void destroy_if_abandoned(Emitter& e, const Room& r, std::size_t occupants_left, const std::string& reason = "empty");

// XEP-0421 occupant id: hex of the first 16 bytes of HMAC-SHA-256(room salt, bare JID),
// stable for a user within a room, unlinkable across rooms.
std::string occupant_id_for(const Crypto& crypto, const std::string& salt, const std::string& bare_jid);
Error reject(ErrorCondition c, std::string text);
const Room* room_or_null(const Service& s, const std::string& jid);

}  // namespace mucstream::core::detail
