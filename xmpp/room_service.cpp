// The room loop: poll the component socket and a wake-up eventfd, feed stanzas through
// decode -> core::execute -> sink + render, flush the rendered bytes in one write per turn.
#include "xmpp/room_service.hpp"

#include <gloox/tag.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <random>
#include <unordered_map>
#include <vector>

#include "core/decide.hpp"
#include "xmpp/component.hpp"
#include "xmpp/decoder.hpp"
#include "xmpp/queries.hpp"
#include "xmpp/renderer.hpp"
#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::int64_t mono_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Appends every rendered stanza to one buffer, written once per loop turn.
class BufferOutput final : public Output {
 public:
  BufferOutput(std::string& buf, ServiceStats& stats) : buf_(buf), stats_(stats) {}
  void put(std::string_view head, std::string_view to, std::string_view tail) override {
    buf_.append(head).append(to).append(tail);
    stats_.stanzas_out.fetch_add(1, std::memory_order_relaxed);
  }

 private:
  std::string& buf_;
  ServiceStats& stats_;
};

// Token bucket per sender.
struct Bucket {
  double tokens = 0;
  std::int64_t last_ms = 0;
};

}  // namespace

struct RoomService::Impl {
  ConnectionOptions conn;
  Limits limits;
  core::ServiceConfig config;
  core::Service svc;
  core::IdSource& ids;
  core::Crypto& crypto;
  core::EventSink& sink;
  ServiceStats stats;
  Logger logger;
  Renderer renderer;
  PresenceCache presence;
  std::unordered_map<std::string, Bucket> buckets;
  std::int64_t last_bucket_sweep = 0;
  std::string out;  // rendered stanzas waiting for the next flush

  struct Pending {
    core::Command cmd;
    std::function<void(const core::Decision&)> done;
    std::function<void(const core::Service&)> read;  // set: a read (inspect), not a command
  };
  std::mutex queue_mu;
  std::vector<Pending> queue;
  std::atomic<bool> has_pending{false};
  int wake_fd = -1;
  bool trace = std::getenv("MUCSTREAM_TRACE_STANZAS") != nullptr;  // log every stanza in and out

  std::unique_ptr<ComponentConnection> comp;
  std::mt19937_64 rng{std::random_device{}()};

  Impl(ConnectionOptions c, Limits l, core::ServiceConfig cfg, core::Service s, core::IdSource& i,
       core::Crypto& y, core::EventSink& k)
      : conn(std::move(c)), limits(l), config(std::move(cfg)), svc(std::move(s)), ids(i), crypto(y), sink(k),
        renderer(conn.domain) {
    config.domain = conn.domain;
    wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    logger = [](LogLevel lvl, const std::string& m) {
      static const char* names[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
      std::fprintf(stderr, "%s component: %s\n", names[static_cast<int>(lvl)], m.c_str());
    };
  }
  ~Impl() {
    if (wake_fd >= 0) ::close(wake_fd);
  }

  void log(LogLevel l, const std::string& m) {
    if (logger) logger(l, m);
  }

  // --- executing commands ---------------------------------------------------------------

  core::Decision execute(const core::Command& cmd) {
    core::Context ctx{config, now_ms(), ids, crypto};
    core::Decision d = core::execute(svc, cmd, ctx);
    for (const core::Event& e : d.events) sink.publish(e);
    stats.events.fetch_add(d.events.size(), std::memory_order_relaxed);
    return d;
  }

  void deliver(const core::Decision& d, const RenderContext& rctx) {
    BufferOutput o(out, stats);
    for (const core::Delivery& x : d.deliveries) renderer.render(x, presence, rctx, o);
    for (const core::Event& e : d.events)  // sessions that left: forget their presence payload
      if (e.type == core::EventType::occupant_left) presence.erase(e.actor);
  }

  void send_now(std::string stanza) {
    out += stanza;
    stats.stanzas_out.fetch_add(1, std::memory_order_relaxed);
  }

  void reply_error(const Envelope& env, const core::Error& e, const std::string& by = {}) {
    stats.errors_out.fetch_add(1, std::memory_order_relaxed);
    send_now(render_error(env, e, by));
  }

  std::string session_of(const std::string& room, const std::string& full_jid) const {
    const core::Room* r = svc.find(room);
    const core::Session* s = r ? r->session_by_jid(full_jid) : nullptr;
    return s ? s->id : std::string{};
  }

  bool allow(const std::string& sender) {
    if (limits.stanzas_per_second <= 0) return true;
    const std::int64_t now = mono_ms();
    auto [it, fresh] = buckets.try_emplace(sender);
    Bucket& b = it->second;
    if (fresh) {
      b.tokens = limits.burst;
    } else {
      b.tokens = std::min(limits.burst, b.tokens + (now - b.last_ms) * limits.stanzas_per_second / 1000.0);
    }
    b.last_ms = now;
    if (now - last_bucket_sweep > 60'000) {  // forget senders whose bucket is full again
      last_bucket_sweep = now;
      std::erase_if(buckets, [&](const auto& kv) {
        return kv.second.tokens + (now - kv.second.last_ms) * limits.stanzas_per_second / 1000.0 >= limits.burst;
      });
      it = buckets.find(sender);
      if (it == buckets.end()) return true;
    }
    if (it->second.tokens < 1.0) return false;
    it->second.tokens -= 1.0;
    return true;
  }

  void on_stanza(const gloox::Tag& tag) {
    stats.stanzas_in.fetch_add(1, std::memory_order_relaxed);
    if (trace) log(LogLevel::debug, "in: " + tag.xml());
    try {
      handle(tag);
    } catch (const std::exception& e) {  // one bad stanza must not take every room down
      log(LogLevel::error, std::string("internal error handling a stanza: ") + e.what());
      Envelope env;
      env.kind = tag.name() == "message" ? StanzaKind::message : tag.name() == "presence" ? StanzaKind::presence : StanzaKind::iq;
      env.id = tag.findAttribute("id");
      env.from = tag.findAttribute("from");
      env.to = tag.findAttribute("to");
      const std::string& type = tag.findAttribute("type");
      if (type != "error" && type != "result")
        reply_error(env, core::make_error(core::ErrorCondition::internal_server_error, "Internal error"));
    }
  }

  void handle(const gloox::Tag& tag) {
    Envelope env;
    env.kind = tag.name() == "message" ? StanzaKind::message : tag.name() == "presence" ? StanzaKind::presence : StanzaKind::iq;
    env.type = tag.findAttribute("type");
    const bool is_error_or_result = env.type == "error" || env.type == "result";
    // Leaving is never refused: an unavailable presence passes every limit.
    const bool leaving = env.kind == StanzaKind::presence && env.type == "unavailable";
    if (!leaving && !is_error_or_result) {
      const std::size_t size = approx_size(tag);
      if (size > limits.max_stanza_bytes) {
        stats.rejected_oversize.fetch_add(1, std::memory_order_relaxed);
        env.id = tag.findAttribute("id");
        env.from = tag.findAttribute("from");
        env.to = tag.findAttribute("to");
        reply_error(env, core::make_error(core::ErrorCondition::policy_violation,
                                          "Stanza too large (limit " + std::to_string(limits.max_stanza_bytes) + " bytes)"));
        return;
      }
      if (!allow(tag.findAttribute("from"))) {
        stats.rejected_flood.fetch_add(1, std::memory_order_relaxed);
        env.id = tag.findAttribute("id");
        env.from = tag.findAttribute("from");
        env.to = tag.findAttribute("to");
        reply_error(env, core::make_error(core::ErrorCondition::resource_constraint, "Too many stanzas, slow down"));
        return;
      }
    }
    Decoded d = decode(tag, DecodeContext{conn.domain, svc, &jingle});
    if (d.ignore) return;
    const std::string by = d.room;
    if (d.error) return reply_error(d.env, *d.error, by);
    if (d.query && d.query->what == Query::What::occupant_iq_response) return route_response(tag, d);
    if (d.query && (d.query->what == Query::What::occupant_iq || d.query->what == Query::What::self_ping) &&
        route_to_occupant(tag, d)) {
      if (d.jingle) remember_jingle(*d.jingle);
      observe(d);  // after the IQ went on: observing never holds signalling up
      return;
    }
    if (d.query) {
      std::string reply = answer_query(d, svc, config);
      if (reply.find("type='error'") != std::string::npos) stats.errors_out.fetch_add(1, std::memory_order_relaxed);
      return send_now(std::move(reply));
    }
    if (!stats_allowed(d)) {
      stats.rejected_flood.fetch_add(1, std::memory_order_relaxed);
      return reply_error(d.env, core::make_error(core::ErrorCondition::resource_constraint,
                                                 "Too many stats for this session, slow down"), by);
    }
    RenderContext rctx = render_context(d.env.id);
    const std::string before = d.presence_payload ? session_of(d.room, d.from.full()) : std::string{};
    for (const core::Command& cmd : d.commands) {
      core::Decision dec = execute(cmd);
      if (!dec.ok()) return reply_error(d.env, *dec.error, by);
      if (d.presence_payload) {
        std::string sid = session_of(d.room, d.from.full());
        if (sid.empty()) sid = before;  // the session just left: its last words are relayed once
        if (!sid.empty()) presence.set(sid, *d.presence_payload);
      }
      deliver(dec, rctx);
    }
    if (d.env.kind == StanzaKind::iq) send_now(render_iq_result(d.env));
    observe(d);
    maybe_flush();
  }

  // --- calls (issue 6) -------------------------------------------------------------------

  JingleContents jingle;  // content names per observed Jingle sid
  TelemetryTokenSource telemetry_token;
  std::unordered_map<std::string, Bucket> stats_buckets;  // per reporter and sid
  std::int64_t last_stats_sweep = 0;

  RenderContext render_context(std::string origin_id) const {
    RenderContext r;
    r.origin_id = std::move(origin_id);
    r.service = &svc;
    r.telemetry_token = telemetry_token ? &telemetry_token : nullptr;
    return r;
  }

  // Runs the observations of a handled stanza; the core may refuse them (unknown sid,
  // not implemented, ...): that is logged, never answered.
  void observe(const Decoded& d) {
    for (const core::Command& cmd : d.observations) {
      core::Decision dec = execute(cmd);
      if (!dec.ok()) {
        log(LogLevel::debug, "observation refused: " + dec.error->text);
        continue;
      }
      deliver(dec, render_context({}));
    }
  }

  void remember_jingle(const JingleSeen& j) {
    if (j.ends) return jingle.forget(j.room, j.sid);
    for (const auto& [name, media] : j.contents) jingle.learn(j.room, j.sid, name, media);
  }

  // Stats floods: each (reporter, sid) may send limits.stats_per_second with a burst of
  // limits.stats_burst; beyond, the report is refused before the core sees it.
  bool stats_allowed(const Decoded& d) {
    if (limits.stats_per_second <= 0) return true;
    const core::ReportP2PStats* r = nullptr;
    for (const core::Command& c : d.commands)
      if ((r = std::get_if<core::ReportP2PStats>(&c)) != nullptr) break;
    if (r == nullptr) return true;
    const std::int64_t now = mono_ms();
    const double rate = limits.stats_per_second;
    const double burst = std::max(1.0, limits.stats_burst);
    if (now - last_stats_sweep > 60'000) {
      last_stats_sweep = now;
      std::erase_if(stats_buckets,
                    [&](const auto& kv) { return kv.second.tokens + (now - kv.second.last_ms) * rate / 1000.0 >= burst; });
    }
    auto [it, fresh] = stats_buckets.try_emplace(d.env.from + '\n' + d.room + '\n' + r->sid);
    Bucket& b = it->second;
    b.tokens = fresh ? burst : std::min(burst, b.tokens + (now - b.last_ms) * rate / 1000.0);
    b.last_ms = now;
    if (b.tokens < 1.0) return false;
    b.tokens -= 1.0;
    return true;
  }

  // --- IQs between occupants (XEP-0045 §7.x): routed to the target's real JID with the
  // sender's room JID as `from` and an id of ours, the answer routed back. ---------------

  struct PendingIq {
    std::string requester;       // real full JID that asked
    std::string request_id;      // its id
    std::string responder;       // real full JID the request went to
    std::string responder_room_jid;  // room/nick of the responder: `from` of the answer
    std::int64_t at_ms = 0;
  };
  std::unordered_map<std::string, PendingIq> pending_iqs;
  std::uint64_t iq_counter = 0;
  std::string iq_prefix = "mucstream-" + std::to_string(std::random_device{}()) + "-";

  // True when routed; false leaves the answer to answer_query (not joined, no such nick,
  // or a self-ping the room answers itself).
  bool route_to_occupant(const gloox::Tag& tag, const Decoded& d) {
    const core::Room* r = svc.find(d.room);
    if (r == nullptr) return false;
    const core::Occupant* me = r->occupant_by_session_jid(d.from.full());
    if (me == nullptr) return false;
    auto prepared = core::prepare_nick(d.query->nick);
    if (!std::holds_alternative<std::string>(prepared)) return false;
    const core::Occupant* target = r->occupant_by_nick(std::get<std::string>(prepared));
    if (target == nullptr || target == me || target->sessions.empty()) return false;
    const std::int64_t now = mono_ms();
    if (pending_iqs.size() > 1000)
      std::erase_if(pending_iqs, [&](const auto& kv) { return now - kv.second.at_ms > 60'000; });
    const std::string id = iq_prefix + std::to_string(++iq_counter);
    const std::string& to = target->sessions.back().full_jid;
    pending_iqs[id] = PendingIq{d.env.from, d.env.id, to, r->jid + "/" + target->nick, now};
    std::string s = "<iq type='";
    append_escaped(s, d.env.type);
    s += "' from='";
    append_escaped(s, r->jid + "/" + me->nick);
    s += "' to='";
    append_escaped(s, to);
    s += "' id='" + id + "'>";
    s += children_xml(tag, [](const gloox::Tag&) { return true; });
    s += "</iq>";
    send_now(std::move(s));
    return true;
  }

  void route_response(const gloox::Tag& tag, const Decoded& d) {
    auto it = pending_iqs.find(d.env.id);
    if (it == pending_iqs.end() || it->second.responder != d.env.from) return;  // unknown or spoofed
    const PendingIq p = std::move(it->second);
    pending_iqs.erase(it);
    std::string s = "<iq type='";
    append_escaped(s, d.env.type);
    s += "' from='";
    append_escaped(s, p.responder_room_jid);
    s += "' to='";
    append_escaped(s, p.requester);
    s += "' id='";
    append_escaped(s, p.request_id);
    s += "'>";
    s += children_xml(tag, [](const gloox::Tag&) { return true; });
    s += "</iq>";
    send_now(std::move(s));
  }

  void drain_queue() {
    if (!has_pending.load(std::memory_order_acquire)) return;
    std::vector<Pending> batch;
    {
      std::lock_guard<std::mutex> lock(queue_mu);
      batch.swap(queue);
      has_pending.store(false, std::memory_order_release);
    }
    std::uint64_t ignored;
    [[maybe_unused]] auto n = ::read(wake_fd, &ignored, sizeof ignored);
    for (Pending& p : batch) {
      if (p.read) {
        p.read(svc);
        continue;
      }
      core::Decision d = execute(p.cmd);
      deliver(d, render_context({}));
      if (p.done) p.done(d);
    }
  }

  void flush() {
    if (out.empty()) return;
    if (trace) log(LogLevel::debug, "out: " + out);
    if (comp && comp->ready() && !comp->dead()) {
      stats.bytes_out.fetch_add(out.size(), std::memory_order_relaxed);
      comp->send_bytes(out);
    }
    out.clear();  // while disconnected, deliveries are lost; state and events are not
    // A join into a big room renders O(occupants) presences; do not keep that capacity.
    if (out.capacity() > kMaxIdleBuffer) std::string().swap(out);
  }

  // Keeps the output buffer bounded while one turn handles many stanzas.
  void maybe_flush() {
    if (out.size() >= kFlushAt) flush();
  }
  static constexpr std::size_t kFlushAt = 256 * 1024;
  static constexpr std::size_t kMaxIdleBuffer = 1024 * 1024;

  // Waits up to `ms` for the socket (when connected) or the wake-up fd; serves both.
  void turn(int ms) {
    pollfd fds[2] = {{wake_fd, POLLIN, 0}, {-1, POLLIN, 0}};
    if (comp && !comp->dead()) fds[1].fd = comp->fd();
    int n = ::poll(fds, fds[1].fd >= 0 ? 2 : 1, ms);
    if (n > 0 && fds[1].fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      // Read what is there in a few chunks so one flush covers many stanzas.
      for (int i = 0; i < 16 && comp->read_available(); ++i) {
        pollfd again{comp->fd(), POLLIN, 0};
        if (again.fd < 0 || ::poll(&again, 1, 0) <= 0) break;
      }
    }
    drain_queue();
    flush();
  }

  std::chrono::milliseconds jittered(std::chrono::milliseconds base) {
    std::uniform_real_distribution<double> f(0.75, 1.25);
    return std::chrono::milliseconds(static_cast<std::int64_t>(base.count() * f(rng)));
  }

  void wait_with_stop(std::chrono::milliseconds d, const std::atomic<bool>& stop) {
    const std::int64_t until = mono_ms() + d.count();
    while (!stop.load() && mono_ms() < until) turn(static_cast<int>(std::min<std::int64_t>(100, until - mono_ms())));
  }

  int run(const std::atomic<bool>& stop) {
    auto backoff = conn.min_backoff;
    int attempt = 0;
    while (!stop.load()) {
      ++attempt;
      log(LogLevel::info, "connecting to " + conn.host + ":" + std::to_string(conn.port) + " as " + conn.domain +
                              " (attempt " + std::to_string(attempt) + ")");
      comp = std::make_unique<ComponentConnection>(conn.host, conn.port, conn.domain, conn.secret,
                                                   [this](const gloox::Tag& t) { on_stanza(t); });
      bool served = false;
      if (comp->open()) {
        const std::int64_t deadline = mono_ms() + 10'000;
        while (!stop.load() && !comp->dead() && !comp->ready() && mono_ms() < deadline) turn(50);
        if (comp->ready()) {
          served = true;
          attempt = 0;
          backoff = conn.min_backoff;
          stats.connects.fetch_add(1);
          stats.connected = true;
          log(LogLevel::info, "connected: serving " + conn.domain + " (" + std::to_string(svc.rooms.size()) +
                                  " rooms in memory)");
          while (!stop.load() && !comp->dead()) turn(100);
          stats.connected = false;
        }
      }
      if (stop.load()) break;
      const std::string why = comp->dead() ? comp->describe_error() : (served ? "closed" : "no handshake in time");
      comp->close();
      comp.reset();
      auto wait = jittered(backoff);
      log(served ? LogLevel::warn : LogLevel::error,
          std::string(served ? "disconnected: " : "connection failed: ") + why + "; retrying in " +
              std::to_string(wait.count()) + " ms");
      wait_with_stop(wait, stop);
      backoff = std::min(conn.max_backoff, backoff * 2);
    }
    // Clean stop: everyone leaves with 332, then the stream closes.
    core::Decision d = execute(core::Shutdown{});
    deliver(d, render_context({}));
    std::size_t n = std::count_if(d.deliveries.begin(), d.deliveries.end(),
                                  [](const core::Delivery& x) { return std::holds_alternative<core::PresenceOut>(x); });
    flush();
    drain_queue();
    flush();
    if (comp) {
      comp->close();
      comp.reset();
    }
    stats.connected = false;
    log(LogLevel::info, "stopped: sent " + std::to_string(n) + " shutdown presences");
    return 0;
  }
};

RoomService::RoomService(ConnectionOptions conn, Limits limits, core::ServiceConfig config, core::Service initial,
                         core::IdSource& ids, core::Crypto& crypto, core::EventSink& sink)
    : impl_(std::make_unique<Impl>(std::move(conn), limits, std::move(config), std::move(initial), ids, crypto,
                                   sink)) {}

RoomService::~RoomService() = default;

int RoomService::run(const std::atomic<bool>& stop) { return impl_->run(stop); }

void RoomService::submit(core::Command cmd, std::function<void(const core::Decision&)> done) {
  {
    std::lock_guard<std::mutex> lock(impl_->queue_mu);
    impl_->queue.push_back({std::move(cmd), std::move(done), {}});
    impl_->has_pending.store(true, std::memory_order_release);
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(impl_->wake_fd, &one, sizeof one);
}

void RoomService::inspect(std::function<void(const core::Service&)> read) {
  {
    std::lock_guard<std::mutex> lock(impl_->queue_mu);
    impl_->queue.push_back({core::Command{}, {}, std::move(read)});  // cmd unused: a read
    impl_->has_pending.store(true, std::memory_order_release);
  }
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(impl_->wake_fd, &one, sizeof one);
}

const ServiceStats& RoomService::stats() const { return impl_->stats; }

void RoomService::set_logger(Logger l) { impl_->logger = std::move(l); }

void RoomService::set_telemetry_token_source(TelemetryTokenSource source) { impl_->telemetry_token = std::move(source); }

}  // namespace mucstream::xmpp
