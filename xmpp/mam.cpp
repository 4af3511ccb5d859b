// XEP-0313 requests in, results out. Written by hand like the rest of the wire layer: the
// results of a page are rendered once per message, with no DOM.
#include "xmpp/mam.hpp"

#include <gloox/tag.h>

#include <charconv>

#include "core/jid.hpp"
#include "core/time.hpp"
#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

using core::ErrorCondition;

core::Error err(ErrorCondition c, std::string text) { return core::make_error(c, std::move(text)); }

// The <value/>s of a data form field.
std::vector<std::string> values(const gloox::Tag& field) {
  std::vector<std::string> out;
  for (const gloox::Tag* v : field.children())
    if (v->name() == "value") out.push_back(v->cdata());
  return out;
}

std::optional<core::Error> decode_form(const gloox::Tag& x, const std::string& room, core::ArchiveQuery& q) {
  if (x.findAttribute("type") != "submit")
    return err(ErrorCondition::bad_request, "The query form must be of type submit");
  bool form_type_seen = false;
  for (const gloox::Tag* f : x.children()) {
    if (f->name() != "field") continue;
    const std::string& var = f->findAttribute("var");
    const std::vector<std::string> vs = values(*f);
    // A field without a value means "no constraint" (clients send the whole form back).
    const std::string v = vs.empty() ? std::string{} : vs.front();
    if (var == "FORM_TYPE") {
      if (v != ns::kMam) return err(ErrorCondition::bad_request, "Unexpected FORM_TYPE, expected urn:xmpp:mam:2");
      form_type_seen = true;
    } else if (var == "with") {
      if (v.empty()) continue;
      auto parsed = core::Jid::parse(v);
      if (!std::holds_alternative<core::Jid>(parsed)) return err(ErrorCondition::bad_request, "'with' is not a valid JID");
      const core::Jid& j = std::get<core::Jid>(parsed);
      if (j.bare() == room) {
        // room@service/nick: that occupant's messages; the room's bare JID: no constraint.
        if (!j.resource().empty()) q.with_nick = j.resource();
      } else {
        q.with_bare_jid = j.bare();
      }
    } else if (var == "start" || var == "end") {
      if (v.empty()) continue;
      auto t = core::parse_time(v);
      if (!t) return err(ErrorCondition::bad_request, "'" + var + "' is not an XEP-0082 date-time");
      (var == "start" ? q.start_ms : q.end_ms) = *t;
    } else if (var == "after-id") {
      if (!v.empty()) q.after_id = v;
    } else if (var == "before-id") {
      if (!v.empty()) q.before_id = v;
    } else if (var == "ids") {
      for (const std::string& id : vs)
        if (!id.empty()) q.ids.push_back(id);
    } else {
      return err(ErrorCondition::feature_not_implemented, "Unsupported query field '" + var + "'");
    }
  }
  if (!form_type_seen) return err(ErrorCondition::bad_request, "The query form needs FORM_TYPE urn:xmpp:mam:2");
  return std::nullopt;
}

std::optional<core::Error> decode_rsm(const gloox::Tag& set, core::ArchiveQuery& q) {
  for (const gloox::Tag* c : set.children()) {
    const std::string& name = c->name();
    if (name == "max") {
      std::uint32_t v = 0;
      const std::string s = c->cdata();
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec != std::errc{} || p != s.data() + s.size()) return err(ErrorCondition::bad_request, "<max/> must be a whole number");
      q.max = v;
    } else if (name == "after") {
      if (c->cdata().empty()) return err(ErrorCondition::bad_request, "<after/> needs an archive id");
      q.rsm_after = c->cdata();
    } else if (name == "before") {
      if (c->cdata().empty()) q.rsm_last_page = true;  // XEP-0059 §2.5: the last page
      else q.rsm_before = c->cdata();
    } else if (name == "index") {
      return err(ErrorCondition::feature_not_implemented, "Paging by index is not supported; use after and before");
    }
  }
  return std::nullopt;
}

void attr(std::string& out, std::string_view name, std::string_view value) { append_attr(out, name, value); }

void form_field(std::string& x, const char* var, const char* type) {
  x += "<field";
  attr(x, "var", var);
  attr(x, "type", type);
  x += "/>";
}

// The payload without the client's own <replace/> (ours names the archive id instead).
std::string without_replace(const std::string& payload) {
  if (payload.find(ns::kCorrect) == std::string::npos) return payload;
  auto wrapper = parse_xml("<m xmlns='jabber:client'>" + payload + "</m>");
  if (!wrapper) return payload;
  return children_xml(*wrapper, [](const gloox::Tag& c) { return !(c.name() == "replace" && c.xmlns() == ns::kCorrect); });
}

}  // namespace

bool is_mam_request(const gloox::Tag& payload) {
  return payload.xmlns() == ns::kMam && (payload.name() == "query" || payload.name() == "metadata");
}

std::variant<MamRequest, core::Error> decode_mam(const gloox::Tag& q, const std::string& iq_type, const std::string& room) {
  MamRequest r;
  r.query.room = room;
  const bool get = iq_type == "get";
  if (q.name() == "metadata") {
    if (!get) return err(ErrorCondition::bad_request, "Metadata is read with an IQ get");
    r.kind = MamRequest::Kind::metadata;
    return r;
  }
  if (get) {
    r.kind = MamRequest::Kind::form;
    return r;
  }
  r.kind = MamRequest::Kind::query;
  r.queryid = q.findAttribute("queryid");
  if (const gloox::Tag* x = child(q, "x", ns::kData))
    if (auto e = decode_form(*x, room, r.query)) return *e;
  if (const gloox::Tag* set = child(q, "set", ns::kRsm))
    if (auto e = decode_rsm(*set, r.query)) return *e;
  r.query.flip = child(q, "flip-page") != nullptr;
  return r;
}

std::string mam_form() {
  std::string x = "<query xmlns='urn:xmpp:mam:2'><x xmlns='jabber:x:data' type='form'>"
                  "<field var='FORM_TYPE' type='hidden'><value>urn:xmpp:mam:2</value></field>";
  form_field(x, "with", "jid-single");
  form_field(x, "start", "text-single");
  form_field(x, "end", "text-single");
  form_field(x, "before-id", "text-single");
  form_field(x, "after-id", "text-single");
  form_field(x, "ids", "list-multi");
  x += "</x></query>";
  return x;
}

std::string render_mam_result(const std::string& to, const std::string& room, const std::string& queryid,
                              const core::ArchivedMessage& m, bool real_jids) {
  std::string s = "<message";
  attr(s, "to", to);
  attr(s, "from", room);
  s += "><result xmlns='urn:xmpp:mam:2'";
  if (!queryid.empty()) attr(s, "queryid", queryid);
  attr(s, "id", m.stanza_id);
  s += "><forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay'";
  attr(s, "stamp", core::format_time(m.time_ms));
  s += "/><message xmlns='jabber:client' type='groupchat'";
  attr(s, "from", m.nick.empty() ? room : room + "/" + m.nick);
  s += '>';
  if (m.retracted_ms) {
    // XEP-0424 §6 / XEP-0425: the archive keeps a tombstone in place of the message.
    s += "<retracted xmlns='urn:xmpp:message-retract:1'";
    attr(s, "stamp", core::format_time(*m.retracted_ms));
    if (!m.moderated) {
      s += "/>";
    } else {
      s += "><moderated xmlns='urn:xmpp:message-moderate:1'";
      attr(s, "by", m.retracted_by && !m.retracted_by->empty() ? room + "/" + *m.retracted_by : room);
      s += "/>";
      if (!m.retract_reason.empty()) {
        s += "<reason>";
        append_escaped(s, m.retract_reason);
        s += "</reason>";
      }
      s += "</retracted>";
    }
  } else if (m.edited_ms) {
    s += without_replace(m.payload);
    s += "<replace xmlns='urn:xmpp:message-correct:0'";
    attr(s, "id", m.stanza_id);
    s += "/>";
  } else {
    s += m.payload;
  }
  if (real_jids && !m.jid.empty()) {  // XEP-0313 §5.1.2 (non-anonymous rooms, moderators)
    s += "<x xmlns='http://jabber.org/protocol/muc#user'><item";
    attr(s, "jid", m.jid);
    s += "/></x>";
  }
  s += "<stanza-id xmlns='urn:xmpp:sid:0'";
  attr(s, "id", m.stanza_id);
  attr(s, "by", room);
  s += "/>";
  if (!m.occupant_id.empty()) {
    s += "<occupant-id xmlns='urn:xmpp:occupant-id:0'";
    attr(s, "id", m.occupant_id);
    s += "/>";
  }
  s += "</message></forwarded></result></message>";
  return s;
}

std::string render_mam_fin(const core::ArchivePage& page) {
  std::string s = "<fin xmlns='urn:xmpp:mam:2'";
  if (page.complete) s += " complete='true'";
  s += "><set xmlns='http://jabber.org/protocol/rsm'>";
  if (!page.messages.empty()) {
    s += "<first";
    if (page.first_index) attr(s, "index", std::to_string(*page.first_index));
    s += '>';
    append_escaped(s, page.messages.front().stanza_id);
    s += "</first><last>";
    append_escaped(s, page.messages.back().stanza_id);
    s += "</last>";
  }
  if (page.count) s += "<count>" + std::to_string(*page.count) + "</count>";
  s += "</set></fin>";
  return s;
}

std::string render_mam_metadata(const core::ArchiveEnds& e) {
  std::string s = "<metadata xmlns='urn:xmpp:mam:2'>";
  auto end = [&](const char* name, const std::optional<std::string>& id, const std::optional<std::int64_t>& ms) {
    if (!id) return;
    s += '<';
    s += name;
    attr(s, "id", *id);
    if (ms) attr(s, "timestamp", core::format_time(*ms));
    s += "/>";
  };
  end("start", e.first_id, e.first_ms);
  end("end", e.last_id, e.last_ms);
  s += "</metadata>";
  return s;
}

}  // namespace mucstream::xmpp
