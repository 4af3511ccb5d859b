#include "xmpp/room_handler.hpp"

#include <gloox/tag.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>

#include "core/log.hpp"
#include "xmpp/queries.hpp"
#include "xmpp/wire_size.hpp"
#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

void mark_stanza_end(std::string& buf, std::size_t& last_mark) {
  // Only where a lane may need to split (Outbound::kChunk): small output stays unmarked and
  // the lane takes it without scanning.
  if (buf.size() - last_mark < Outbound::kChunk) return;
  buf += kStanzaEnd;
  last_mark = buf.size();
}

// What a room adds around a reflected payload: the recipient's JID in place of the
// sender's, stanza-id, occupant-id, and for history the delay and the real JID.
constexpr std::size_t kStampBytes = 4096;

// Commands whose events are kept even while the log does not accept: a departure cannot
// be refused (the client is going anyway), and private messages change no room state.
bool always_kept(const core::Command& c) {
  if (const auto* p = std::get_if<core::Presence>(&c)) return !p->available;
  return std::holds_alternative<core::Leave>(c) || std::holds_alternative<core::RemoveGhost>(c) ||
         std::holds_alternative<core::Shutdown>(c) || std::holds_alternative<core::SendPrivate>(c);
}

std::string random_prefix(const char* what) {
  return std::string("mucstream-") + what + "-" + std::to_string(std::random_device{}()) + "-";
}

Envelope envelope_of(const gloox::Tag& tag) {
  Envelope env;
  env.kind = tag.name() == "message" ? StanzaKind::message : tag.name() == "presence" ? StanzaKind::presence : StanzaKind::iq;
  env.type = tag.findAttribute("type");
  env.id = tag.findAttribute("id");
  env.from = tag.findAttribute("from");
  env.to = tag.findAttribute("to");
  return env;
}

}  // namespace

// Appends every rendered stanza to the unit's buffer, counting them; a stanza above the
// outbound ceiling is skipped (the host would close the whole stream for it).
class BufferOutput final : public Output {
 public:
  BufferOutput(std::string& buf, std::uint64_t& count, std::size_t max, std::uint64_t& skipped, std::size_t* mark)
      : buf_(buf), count_(count), max_(max), skipped_(skipped), mark_(mark) {}
  void put(std::string_view head, std::string_view to, std::string_view tail) override {
    if (head.size() + to.size() + tail.size() > max_) {
      ++skipped_;
      return;
    }
    buf_.append(head).append(to).append(tail);
    if (mark_ != nullptr) mark_stanza_end(buf_, *mark_);
    ++count_;
  }
  // A whole stanza (a multicast one): same ceiling, same count.
  bool raw(std::string_view stanza) {
    if (stanza.size() > max_) {
      ++skipped_;
      return false;
    }
    buf_.append(stanza);
    if (mark_ != nullptr) mark_stanza_end(buf_, *mark_);
    ++count_;
    return true;
  }

 private:
  std::string& buf_;
  std::uint64_t& count_;
  std::size_t max_;
  std::uint64_t& skipped_;
  std::size_t* mark_;
};

RoomHandler::RoomHandler(std::string domain, Limits limits, core::ServiceConfig config, core::Service initial,
                         core::IdSource& ids, core::Crypto& crypto, core::EventSink& sink, std::string& out,
                         CommitOptions commit)
    : domain_(std::move(domain)),
      limits_(limits),
      config_(std::move(config)),
      svc_(std::move(initial)),
      ids_(ids),
      crypto_(crypto),
      sink_(sink),
      out_(out),
      commit_(commit),
      renderer_(domain_),
      stanza_limit_(limits.stanzas_per_second, limits.burst),
      sender_bytes_(limits.sender_bytes_per_second, limits.sender_bytes_burst),
      room_bytes_(limits.room_bytes_per_second, limits.room_bytes_burst),
      stats_limit_(limits.stats_per_second, std::max(1.0, limits.stats_burst)),
      iq_router_(random_prefix("iq")),
      parking_(commit.release_immediately),
      archive_([this](const std::string& lane, std::string stanza) { emit_archive(lane, std::move(stanza)); },
               [this](const std::string& lane) { return lanes_ != nullptr && lanes_->congested(lane); }),
      snapshots_(commit.snapshot_interval.count(), commit.snapshot_rooms_per_turn),
      pings_(random_prefix("ping"), commit.ghost_ping_timeout.count()) {
  config_.domain = domain_;
  snapshots_.all_changed(svc_);  // nothing is known to be in a snapshot yet
}

// decide, then (unless the log does not accept and the command may be refused) apply and
// publish; the positions join the current unit.
core::Decision RoomHandler::execute(const core::Command& cmd, Now now) {
  refused_now_ = false;
  core::Context ctx{config_, now.wall_ms, ids_, crypto_};
  core::Decision d = core::decide(svc_, cmd, ctx);
  if (d.events.empty()) return d;
  if (!always_kept(cmd) && !sink_.accepting()) {
    refused_now_ = true;
    return core::Decision::fail(core::make_error(core::ErrorCondition::resource_constraint,
                                                 "The service cannot keep changes right now; try again shortly"));
  }
  for (const core::Event& e : d.events) core::apply(svc_, e, config_.history);
  for (const core::Event& e : d.events) {
    const core::LogPosition p = sink_.publish(e);
    parking_.published(p);
    if (p != 0) {
      unit_positions_.push_back(p);
      last_position_ = p;
    }
    snapshots_.changed(e.room);
  }
  if (unit_room_.empty()) unit_room_ = d.events.front().room;
  if (!std::holds_alternative<core::SendPrivate>(cmd)) unit_parks_ = true;
  events_ += d.events.size();
  return d;
}

// The unit's output goes out now, or to the Parking when it has events to wait for.
void RoomHandler::finish_unit(Parking::After after) {
  if (!unit_parks_) {
    if (lanes_ != nullptr && !unit_room_.empty()) {
      lanes_->room(unit_room_, unit_out_);
    } else if (lanes_ != nullptr && unit_mark_ != 0) {
      for (char c : unit_out_)  // the control buffer holds plain bytes
        if (c != kStanzaEnd) out_ += c;
    } else {
      out_ += unit_out_;
    }
    unit_out_.clear();
    if (after) after(true);
  } else {
    parking_.park(unit_room_, unit_positions_, unit_out_, std::move(after), out_);
  }
  unit_positions_.clear();
  unit_room_.clear();
  unit_mark_ = 0;
  unit_parks_ = false;
}

bool RoomHandler::remove_ghost(const core::RemoveGhost& g, Now now) {
  core::Decision d = execute(g, now);
  if (!d.ok() || d.events.empty()) return false;
  ++ghosts_;
  deliver(d, render_context({}));
  return true;
}

void RoomHandler::restore(core::Service s) {
  svc_ = std::move(s);
  snapshots_.all_changed(svc_);
}

bool RoomHandler::tick(Now now) {
  clock_ms_ = now.mono_ms;
  ledger_.prune(now.mono_ms);
  if (pings_.queued()) {
    std::string pings;
    stanzas_out_ += pings_.send(commit_.ghost_pings_per_turn, now.mono_ms, pings);
    out_ += pings;
  }
  for (const core::RemoveGhost& g : pings_.expired(now.mono_ms)) {
    remove_ghost(g, now);
    finish_unit({});
  }
  expire_idle(now);
  const bool in_round = snapshots_.step(now.mono_ms, last_position_, svc_, sink_);
  return in_round || pings_.queued();
}

// Idle rooms are looked for every few seconds (a pass visits every room), often enough
// for a timeout counted in minutes; a pass the log refuses is retried at the next one.
void RoomHandler::expire_idle(Now now) {
  if (config_.idle_timeout_ms <= 0 || now.mono_ms < next_idle_check_ms_) return;
  next_idle_check_ms_ = now.mono_ms + std::clamp<std::int64_t>(config_.idle_timeout_ms / 4, 250, 10'000);
  core::Decision d = execute(core::ExpireIdle{}, now);
  if (!d.ok() || d.events.empty()) return;
  for (const core::Event& e : d.events)
    if (std::holds_alternative<core::data::RoomDestroyed>(e.data)) ++idle_rooms_closed_;
  deliver(d, render_context({}));
  finish_unit({});
}

void RoomHandler::deliver(const core::Decision& d, const RenderContext& rctx) {
  BufferOutput o(unit_out_, stanzas_out_, limits_.max_stanza_bytes_out, oversize_skipped_,
                 lanes_ != nullptr ? &unit_mark_ : nullptr);
  if (multicast_.service.empty()) {
    for (const core::Delivery& x : d.deliveries) renderer_.render(x, presence_, rctx, o);
  } else {
    FanoutBatcher batch([&](Rendering& r) { fan_out(r, o); });
    for (const core::Delivery& x : d.deliveries) {
      batch.may_multicast(may_multicast(x));
      renderer_.render(x, presence_, rctx, batch);
    }
    batch.finish();
  }
  presence_.forget_departed(d);
}

// Private messages and invitations go from one person to another: always directly.
bool RoomHandler::may_multicast(const core::Delivery& x) {
  const auto* m = std::get_if<core::MessageOut>(&x);
  if (m == nullptr) return true;
  return m->kind != core::MessageKind::private_ && m->kind != core::MessageKind::invite &&
         m->kind != core::MessageKind::decline;
}

// One group of identical renderings: through the service when it has two recipients or more
// (split at the cap and the byte limit), else directly.
void RoomHandler::fan_out(Rendering& r, BufferOutput& o) {
  if (r.to.size() < 2 || !r.may_multicast || !multicastable(r)) {
    for (const std::string& to : r.to) o.put(r.head, to, r.tail);
    return;
  }
  const std::vector<std::size_t> sizes = chunk_sizes(r, multicast_);
  auto shared = std::make_shared<Rendering>(std::move(r));
  const std::string kind(stanza_name(shared->head));
  const std::string from(start_tag_attr(shared->tail, "from"));
  const std::string id(start_tag_attr(shared->tail, "id"));
  std::size_t first = 0;
  for (std::size_t n : sizes) {
    if (n == 1) {
      o.put(shared->head, shared->to[first], shared->tail);
    } else if (o.raw(multicast_stanza(*shared, first, n, multicast_))) {
      ++multicast_stanzas_;
      multicast_recipients_ += n;
      ledger_.record(MulticastLedger::Sent{kind, from, id, shared, first, n, 0}, clock_ms_);
    }
    first += n;
  }
}

void RoomHandler::set_multicast(std::string service, std::size_t max_recipients, bool recipient_list) {
  multicast_.service = escaped(service);
  multicast_.max_recipients = max_recipients;
  multicast_.recipient_list = recipient_list;
  multicast_.max_bytes = limits_.max_stanza_bytes_out;
  if (max_recipients < 2) multicast_.service.clear();
  if (!multicast_.service.empty()) multicast_seen_ = service;
}

// The service refused one of our multicast stanzas: its recipients get it one by one, and
// the stanzas to come are sent with a smaller cap or without the service.
void RoomHandler::multicast_refused(const gloox::Tag& error) {
  const std::string to = error.findAttribute("to");
  const std::string condition = stanza_error_condition(error);
  std::optional<MulticastLedger::Sent> sent =
      ledger_.take(error.name(), escaped(to), escaped(error.findAttribute("id")));
  ++multicast_fallbacks_;
  std::string what = "no longer known (sent too long ago)";
  if (sent) {
    const Rendering& r = *sent->rendering;
    std::string bytes;
    std::size_t mark = 0;
    BufferOutput o(bytes, stanzas_out_, limits_.max_stanza_bytes_out, oversize_skipped_,
                   lanes_ != nullptr ? &mark : nullptr);
    for (std::size_t i = sent->first; i < sent->first + sent->count; ++i) o.put(r.head, r.to[i], r.tail);
    const std::string room = to.substr(0, to.find('/'));
    if (lanes_ != nullptr) lanes_->room(room, bytes);
    else out_ += bytes;
    what = "sent again to its " + std::to_string(sent->count) + " recipients one by one";
  }
  const std::string why = "multicast: " + multicast_seen_ + " refused a " + error.name() + " stanza (" +
                          (condition.empty() ? "no condition" : condition) + "); " + what;
  if (multicast_.service.empty()) {  // already stopped: an earlier stanza's refusal
    core::log_write(core::LogLevel::warn, "component", why);
    return;
  }
  const Fallback f = decide_fallback(condition, sent ? sent->count : 0, multicast_.max_recipients);
  if (f.stop) {
    multicast_.service.clear();
    core::log_write(core::LogLevel::warn, "component", why + "; one stanza per recipient until the next connection");
  } else {
    if (f.cap < multicast_.max_recipients)
      core::log_write(core::LogLevel::warn, "component",
                      why + "; at most " + std::to_string(f.cap) +
                          " recipients per multicast stanza from now on (raise the service's limit, or set "
                          "xmpp.multicast_max_recipients)");
    multicast_.max_recipients = f.cap;
  }
}

bool RoomHandler::fits(std::size_t bytes) {
  if (bytes <= limits_.max_stanza_bytes_out) return true;
  ++oversize_skipped_;
  return false;
}

void RoomHandler::emit_archive(const std::string& lane, std::string stanza) {
  if (!fits(stanza.size())) return;
  ++stanzas_out_;
  if (lanes_ != nullptr) lanes_->room(lane, stanza);
  else out_ += stanza;
}

void RoomHandler::send(std::string stanza) {
  if (!fits(stanza.size())) return;
  unit_out_ += stanza;
  if (lanes_ != nullptr) mark_stanza_end(unit_out_, unit_mark_);
  ++stanzas_out_;
}

void RoomHandler::send_now(std::string stanza) {
  if (!fits(stanza.size())) return;
  out_ += stanza;
  ++stanzas_out_;
}

Verdict RoomHandler::reply_error(const Envelope& env, const core::Error& e, Verdict v, const std::string& by) {
  send(render_error(env, e, by));
  return v;
}

RenderContext RoomHandler::render_context(std::string origin_id) const {
  RenderContext r;
  r.origin_id = std::move(origin_id);
  r.service = &svc_;
  r.telemetry_token = telemetry_token_ ? &telemetry_token_ : nullptr;
  return r;
}

Verdict RoomHandler::refuse_internal(const gloox::Tag& tag) {
  Envelope env = envelope_of(tag);
  if (env.type == "error" || env.type == "result") return Verdict::ignored;
  send_now(render_error(env, core::make_error(core::ErrorCondition::internal_server_error, "Internal error")));
  return Verdict::error;
}

Outcome RoomHandler::handle(const gloox::Tag& tag, Now now) {
  clock_ms_ = now.mono_ms;
  Outcome o;
  try {
    o = handle_stanza(tag, now);
  } catch (...) {
    finish_unit({});  // what was decided before the throw stays decided
    throw;
  }
  finish_unit({});
  return o;
}

Outcome RoomHandler::handle_stanza(const gloox::Tag& tag, Now now) {
  Outcome o;
  const std::string& type = tag.findAttribute("type");
  // The multicast service refusing a stanza of ours (a recipient's bounce comes from the
  // recipient, below).
  if (type == "error" && tag.name() != "iq" && !multicast_seen_.empty() && tag.findAttribute("from") == multicast_seen_) {
    multicast_refused(tag);
    o.verdict = Verdict::handled;
    return o;
  }
  // Answers to the room's ghost pings, and bounces of what the room sent to a session.
  if (type == "error" || type == "result") {
    if (tag.name() == "iq") {
      core::RemoveGhost g;
      const GhostPings::Answer a = pings_.answer(tag, g);
      if (a == GhostPings::Answer::ghost) remove_ghost(g, now);
      if (a != GhostPings::Answer::not_ours) {
        o.verdict = Verdict::handled;
        return o;
      }
    } else if (auto g = bounced_session(tag, svc_)) {
      remove_ghost(*g, now);
      o.verdict = Verdict::handled;
      return o;
    }
  }
  const bool is_error_or_result = type == "error" || type == "result";
  // Leaving is never refused: an unavailable presence passes every limit.
  const bool leaving = tag.name() == "presence" && type == "unavailable";
  std::size_t wire = 0;  // the stanza's size escaped, as a reflection of it would carry it
  if (!leaving && !is_error_or_result) {
    if (approx_size(tag) > limits_.max_stanza_bytes) {
      o.verdict = reply_error(envelope_of(tag),
                              core::make_error(core::ErrorCondition::policy_violation,
                                               "Stanza too large (limit " + std::to_string(limits_.max_stanza_bytes) + " bytes)"),
                              Verdict::refused_oversize);
      return o;
    }
    wire = wire_size(tag);
    if (wire + kStampBytes > limits_.max_stanza_bytes_out) {
      o.verdict = reply_error(envelope_of(tag),
                              core::make_error(core::ErrorCondition::policy_violation,
                                               "Stanza too large once escaped for the room (" + std::to_string(wire) +
                                                   " bytes; limit " +
                                                   std::to_string(limits_.max_stanza_bytes_out - kStampBytes) + ")"),
                              Verdict::refused_oversize);
      return o;
    }
    const std::string& from = tag.findAttribute("from");
    if (stanza_limit_.take(from, now.mono_ms) == TokenBuckets::Verdict::refuse) {
      o.verdict = reply_error(envelope_of(tag), core::make_error(core::ErrorCondition::resource_constraint, "Too many stanzas, slow down"),
                              Verdict::refused_flood);
      return o;
    }
    if (sender_bytes_.take(from, now.mono_ms, static_cast<double>(wire)) == TokenBuckets::Verdict::refuse) {
      o.verdict = reply_error(envelope_of(tag), core::make_error(core::ErrorCondition::resource_constraint, "Too many bytes, slow down"),
                              Verdict::refused_flood);
      return o;
    }
  }
  if (leaving && wire_size(tag) + kStampBytes > limits_.max_stanza_bytes_out) {
    // A leave cannot be refused, and its reflection must fit what the host accepts: what it
    // carried beyond the leave itself (status text, extensions) is dropped, the leave stays.
    gloox::Tag bare("presence");
    for (const char* a : {"from", "to", "id", "type"})
      if (tag.hasAttribute(a)) bare.addAttribute(a, tag.findAttribute(a));
    return handle_stanza(bare, now);
  }
  Decoded d = decode(tag, DecodeContext{domain_, svc_, &jingle_});
  if (d.ignore) return o;
  const std::string by = d.room;
  // Whatever answers a stanza to a room keeps its place in that room's lane.
  if (unit_room_.empty()) unit_room_ = d.room;
  if (d.error) {
    o.verdict = reply_error(d.env, *d.error, Verdict::error, by);
    return o;
  }
  if (d.query && d.query->what == Query::What::occupant_iq_response) {
    if (auto bytes = iq_router_.answer(d, tag)) send_now(std::move(*bytes));
    o.verdict = Verdict::handled;
    return o;
  }
  if (d.query && (d.query->what == Query::What::occupant_iq || d.query->what == Query::What::self_ping)) {
    if (auto bytes = iq_router_.route(svc_, d, tag, now.mono_ms)) {
      send_now(std::move(*bytes));
      if (d.jingle) jingle_.record(*d.jingle);
      observe(d, now, o);  // after the IQ went on: observing never holds signalling up
      o.verdict = Verdict::handled;
      return o;
    }
  }
  if (d.mam) {  // answered now (form, refusal) or later, when the reader has the page
    ArchiveRequests::Started started = archive_.start(d, svc_);
    if (!started.reply.empty()) send(std::move(started.reply));
    o.verdict = started.error ? Verdict::error : Verdict::handled;
    return o;
  }
  if (d.query) {
    QueryAnswer a = answer(d, svc_, config_, archive_.enabled());
    if (a.verdict == QueryAnswer::Verdict::none) return o;
    send(render_answer(d.env, a));
    o.verdict = a.verdict == QueryAnswer::Verdict::error ? Verdict::error : Verdict::handled;
    return o;
  }
  if (!stats_allowed(d, now)) {
    o.verdict = reply_error(d.env, core::make_error(core::ErrorCondition::resource_constraint, "Too many stats for this session, slow down"),
                            Verdict::refused_flood, by);
    return o;
  }
  // Into a room: what it would send must fit its lane and its byte rate; the sender waits,
  // the room's other traffic does not.
  if (!leaving && wire > 0 && !d.room.empty() && !d.commands.empty()) {
    if (lanes_ != nullptr && lanes_->congested(d.room)) {
      o.verdict = reply_error(d.env, core::make_error(core::ErrorCondition::resource_constraint,
                                                      "The room is busy sending; try again shortly"),
                              Verdict::refused_backlog, by);
      return o;
    }
    const core::Room* r = svc_.find(d.room);
    const double recipients = r != nullptr ? static_cast<double>(r->occupants.size()) + 1 : 1;
    if (room_bytes_.take(d.room, now.mono_ms, static_cast<double>(wire) * recipients) == TokenBuckets::Verdict::refuse) {
      o.verdict = reply_error(d.env, core::make_error(core::ErrorCondition::resource_constraint,
                                                      "Too much traffic in this room, slow down"),
                              Verdict::refused_flood, by);
      return o;
    }
  }
  RenderContext rctx = render_context(d.env.id);
  const std::string before = d.presence_payload ? PresenceCache::session_of(svc_, d.room, d.from.full()) : std::string{};
  for (const core::Command& cmd : d.commands) {
    core::Decision dec = execute(cmd, now);
    if (!dec.ok()) {
      o.verdict = reply_error(d.env, *dec.error, refused_now_ ? Verdict::refused_unavailable : Verdict::error, by);
      return o;
    }
    if (d.presence_payload) presence_.record(svc_, d.room, d.from.full(), before, *d.presence_payload);
    deliver(dec, rctx);
  }
  if (d.env.kind == StanzaKind::iq) send(render_iq_result(d.env));
  observe(d, now, o);
  o.verdict = Verdict::handled;
  return o;
}

// Runs the observations of a handled stanza; the core may refuse them (unknown sid, not
// implemented, ...): that is reported for the log, never answered.
void RoomHandler::observe(const Decoded& d, Now now, Outcome& o) {
  for (const core::Command& cmd : d.observations) {
    core::Decision dec = execute(cmd, now);
    if (const auto* cs = std::get_if<core::ObserveChatState>(&cmd); cs != nullptr && dec.ok()) {
      if (!cs->state.empty()) ++chat_states_;
      if (cs->displayed) ++displayed_markers_;
    }
    if (!dec.ok()) {
      o.refused_observations.push_back(dec.error->text);
      continue;
    }
    deliver(dec, render_context({}));
  }
}

// Stats floods: each (reporter, room, sid) may send limits.stats_per_second with a burst of
// limits.stats_burst; beyond, the report is refused before the core sees it.
bool RoomHandler::stats_allowed(const Decoded& d, Now now) {
  const core::ReportP2PStats* r = nullptr;
  for (const core::Command& c : d.commands)
    if ((r = std::get_if<core::ReportP2PStats>(&c)) != nullptr) break;
  if (r == nullptr) return true;
  return stats_limit_.take(d.env.from + '\n' + d.room + '\n' + r->sid, now.mono_ms) == TokenBuckets::Verdict::pass;
}

core::Decision RoomHandler::run(const core::Command& cmd, Now now, std::function<void(const core::Decision&)> done) {
  clock_ms_ = now.mono_ms;
  core::Decision d = execute(cmd, now);
  deliver(d, render_context({}));
  Parking::After after;
  if (done) {
    after = [done = std::move(done), d](bool released) {
      if (released) done(d);
      else
        done(core::Decision::fail(core::make_error(core::ErrorCondition::service_unavailable,
                                                   "The service stopped before the change was confirmed")));
    };
  }
  finish_unit(std::move(after));
  return d;
}

std::size_t RoomHandler::shutdown(Now now) {
  core::Decision d = run(core::Shutdown{}, now);
  return static_cast<std::size_t>(std::count_if(d.deliveries.begin(), d.deliveries.end(), [](const core::Delivery& x) {
    return std::holds_alternative<core::PresenceOut>(x);
  }));
}

}  // namespace mucstream::xmpp
