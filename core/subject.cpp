// XEP-0045 §8.1: changing the room subject.
#include "core/features.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {

Decision decide_subject(const Service& svc, const ChangeSubject& c, Context& ctx) {
  const std::string from_jid = c.user.full();  // built once, not per lookup
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No such room"));
  const Occupant* o = r->occupant_by_session_jid(from_jid);
  if (o == nullptr) return Decision::fail(reject(ErrorCondition::not_acceptable, "You are not an occupant of this room"));
  if (!may_change_subject(o->role, r->config.occupants_may_change_subject))
    return Decision::fail(reject(ErrorCondition::forbidden, "You are not allowed to change the subject"));
  if (c.subject.size() > ctx.config.max_subject_bytes)
    return Decision::fail(reject(ErrorCondition::not_acceptable, "The subject is too long"));
  Decision d;
  Emitter e(d, ctx, *r);
  e.emit(r->session_by_jid(from_jid)->id, data::SubjectChanged{.subject = c.subject, .nick = o->nick});
  MessageOut m = room_message(*r, *o, MessageKind::subject);
  m.subject = c.subject;
  d.deliveries.emplace_back(std::move(m));
  return d;
}

}  // namespace mucstream::core::detail
