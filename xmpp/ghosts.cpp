#include "xmpp/ghosts.hpp"

#include <gloox/tag.h>

#include <algorithm>
#include <array>
#include <string_view>

#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

// Conditions with which a server says the addressee is not there (RFC 6120 §8.3.3, RFC 6121 §8.5).
bool means_gone(std::string_view condition) {
  static constexpr std::array<std::string_view, 5> kGone = {"service-unavailable", "recipient-unavailable",
                                                            "item-not-found", "remote-server-not-found", "gone"};
  return std::find(kGone.begin(), kGone.end(), condition) != kGone.end();
}

std::string bare_of(const std::string& jid) {
  const auto slash = jid.find('/');
  return slash == std::string::npos ? jid : jid.substr(0, slash);
}

}  // namespace

std::optional<core::RemoveGhost> bounced_session(const gloox::Tag& stanza, const core::Service& s) {
  if (stanza.name() != "message" && stanza.name() != "presence") return std::nullopt;
  if (stanza.findAttribute("type") != "error") return std::nullopt;
  const std::string& from = stanza.findAttribute("from");
  const core::Room* r = s.find(bare_of(stanza.findAttribute("to")));
  if (r == nullptr || r->session_by_jid(from) == nullptr) return std::nullopt;
  if (!means_gone(stanza_error_condition(stanza))) return std::nullopt;
  return core::RemoveGhost{r->jid, from};
}

void GhostPings::ping_all(const core::Service& s) {
  for (const auto& [jid, r] : s.rooms)
    for (const auto& [nick, o] : r.occupants)
      for (const core::Session& x : o.sessions) queue_.push_back(Ask{core::RemoveGhost{jid, x.full_jid}});
}

std::size_t GhostPings::send(std::size_t max, std::int64_t mono_ms, std::string& out) {
  std::size_t n = 0;
  for (; n < max && !queue_.empty(); ++n) {
    Ask ask = std::move(queue_.front());
    queue_.pop_front();
    std::string id = prefix_ + std::to_string(++counter_);
    out += "<iq type='get'";
    append_attr(out, "from", ask.who.room);
    append_attr(out, "to", ask.who.full_jid);
    append_attr(out, "id", id);
    out += ask.again ? "><query xmlns='http://jabber.org/protocol/disco#info'/></iq>"
                     : "><ping xmlns='urn:xmpp:ping'/></iq>";
    order_.push_back(id);
    pending_.emplace(std::move(id), Pending{std::move(ask), mono_ms});
  }
  return n;
}

GhostPings::Answer GhostPings::answer(const gloox::Tag& iq, core::RemoveGhost& ghost) {
  const std::string& id = iq.findAttribute("id");
  if (id.compare(0, prefix_.size(), prefix_) != 0) return Answer::not_ours;
  auto it = pending_.find(id);
  if (it == pending_.end()) return Answer::alive;  // ours, answered late or twice: nothing to do
  if (iq.findAttribute("from") != it->second.ask.who.full_jid) return Answer::not_ours;  // not from whom we asked
  Pending p = std::move(it->second);
  pending_.erase(it);
  if (iq.findAttribute("type") != "error") return Answer::alive;
  const std::string condition = stanza_error_condition(iq);
  // A client that does not do pings says so itself: it is there.
  if (condition == "feature-not-implemented") return Answer::alive;
  // Its server for a client that is gone, or a client without pings: ask what every client answers.
  if (condition == "service-unavailable" && !p.ask.again) {
    p.ask.again = true;
    queue_.push_back(std::move(p.ask));
    return Answer::asking_again;
  }
  ghost = std::move(p.ask.who);
  return Answer::ghost;
}

std::vector<core::RemoveGhost> GhostPings::expired(std::int64_t mono_ms) {
  std::vector<core::RemoveGhost> out;
  while (!order_.empty()) {
    auto it = pending_.find(order_.front());
    if (it == pending_.end()) {  // answered
      order_.pop_front();
      continue;
    }
    if (mono_ms - it->second.sent_ms < timeout_ms_) break;  // sent in order: the rest are younger
    out.push_back(std::move(it->second.ask.who));
    pending_.erase(it);
    order_.pop_front();
  }
  return out;
}

void GhostPings::clear() {
  queue_.clear();
  pending_.clear();
  order_.clear();
}

}  // namespace mucstream::xmpp
