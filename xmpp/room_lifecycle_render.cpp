#include "xmpp/room_lifecycle_render.hpp"

#include "xmpp/room_lifecycle_decode.hpp"
#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

void field(std::string& out, const char* var, const char* type, const std::string& value, const char* label) {
  out += "<field";
  append_attr(out, "var", var);
  if (type != nullptr) append_attr(out, "type", type);
  if (label != nullptr) append_attr(out, "label", label);
  out += "><value>";
  append_escaped(out, value);
  out += "</value></field>";
}

}  // namespace

void render_lifecycle_message(const core::MessageOut& m, std::string& tail) {
  tail += " from='";
  append_escaped(tail, m.room);
  tail += '\'';
  if (m.kind == core::MessageKind::voice_request) {
    // XEP-0045 §7.13 example 77: the moderator submits it back with muc#request_allow.
    tail += "><x xmlns='jabber:x:data' type='form'><title>Voice request</title>"
            "<instructions>To approve this request for voice, select the &quot;Grant voice to this person?&quot; "
            "checkbox and click OK. To skip this request, click the cancel button.</instructions>";
    field(tail, "FORM_TYPE", "hidden", ns::kMucRequest, nullptr);
    field(tail, "muc#role", "list-single", "participant", "Requested role");
    field(tail, "muc#jid", "jid-single", m.from_jid, "User ID");
    field(tail, "muc#roomnick", "text-single", m.nick, "Room Nickname");
    field(tail, "muc#request_allow", "boolean", "false", "Grant voice to this person?");
    tail += "</x></message>";
    return;
  }
  tail += "><x xmlns='http://jabber.org/protocol/muc#user'><decline";
  append_attr(tail, "from", m.from_jid);
  if (m.reason.empty()) {
    tail += "/>";
  } else {
    tail += "><reason>";
    append_escaped(tail, m.reason);
    tail += "</reason></decline>";
  }
  tail += "</x></message>";
}

}  // namespace mucstream::xmpp
