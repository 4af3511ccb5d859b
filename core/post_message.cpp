// A message from the service itself into a live room (the HTTP API's SYSTEM messages): from
// the room's bare JID, to every occupant, a message_sent like an occupant's so history, the
// archive and analytics treat it the same.
#include "core/features.hpp"
#include "core/room_ops.hpp"

namespace mucstream::core::detail {

Decision decide_post_message(const Service& svc, const PostMessage& c, Context& ctx) {
  if (!c.by.service_admin)
    return Decision::fail(reject(ErrorCondition::forbidden, "Only the service may post messages as the room"));
  const Room* r = room_or_null(svc, c.room);
  if (r == nullptr) return Decision::fail(reject(ErrorCondition::item_not_found, "No such room"));
  if (c.payload.empty()) return Decision::fail(reject(ErrorCondition::bad_request, "The message is empty"));
  Decision d;
  Emitter e(d, ctx, *r);
  MessageOut m;
  m.kind = MessageKind::groupchat;
  m.to = all_session_jids(*r);
  m.room = r->jid;
  m.payload = c.payload;
  m.time_ms = ctx.now_ms;
  m.stanza_id = e.emit({}, data::MessageSent{.payload = c.payload, .by = by_name(c.by)}).id;
  if (!m.to.empty()) d.deliveries.emplace_back(std::move(m));
  return d;
}

}  // namespace mucstream::core::detail
