// XEP-0045 §7.6: changing nickname (unavailable with 303, then available under the new nick).
#include "core/features.hpp"
#include "core/nick_skeleton.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {

Decision change_nick(const Room& r, const Occupant& o, const std::string& new_nick, Context& ctx) {
  if (new_nick == o.nick) return Decision{};
  if (r.occupant_by_nick(new_nick) != nullptr)
    return Decision::fail(reject(ErrorCondition::conflict, "That nickname is already in use"));
  if (r.look_alike(nick_skeleton(new_nick), o.bare_jid) != nullptr)
    return Decision::fail(reject(ErrorCondition::conflict, "That nickname looks like one already in use"));
  Decision d;
  Emitter e(d, ctx, r);
  e.emit(o.sessions.back().id, data::NickChanged{.old_nick = o.nick, .new_nick = new_nick});
  Occupant renamed = o;
  renamed.nick = new_nick;
  for (const auto& rc : recipients(r)) {
    const bool self = rc.occupant->nick == o.nick;
    PresenceOut gone = presence_of(r, o, *rc.full_jid, rc.occupant->role);
    gone.available = false;
    gone.new_nick = new_nick;
    gone.status = {status::kNewNick};
    PresenceOut back = presence_of(r, renamed, *rc.full_jid, self ? renamed.role : rc.occupant->role);
    if (self) {
      gone.status.push_back(status::kSelf);
      back.status.push_back(status::kSelf);
    }
    d.deliveries.emplace_back(std::move(gone));
    d.deliveries.emplace_back(std::move(back));
  }
  return d;
}

Decision decide_nick_change(const Service& svc, const ChangeNick& c, Context& ctx) {
  const Room* r = room_or_null(svc, c.room);
  const Occupant* o = r ? r->occupant_by_session_jid(c.user.full()) : nullptr;
  if (o == nullptr) return Decision::fail(reject(ErrorCondition::not_acceptable, "You are not an occupant of this room"));
  auto prepared = prepare_nick(c.new_nick);
  if (auto* err = std::get_if<JidError>(&prepared))
    return Decision::fail(reject(ErrorCondition::jid_malformed, std::string("Invalid nickname: ") + describe(*err)));
  return change_nick(*r, *o, std::get<std::string>(prepared), ctx);
}

}  // namespace mucstream::core::detail
