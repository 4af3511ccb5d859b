// The room loop: poll the component socket and a wake-up eventfd, hand each stanza and
// queued command to the RoomHandler, pass the sink's durable reports on (they release
// parked output), count verdicts, queue the rendered bytes (outbound.hpp) and write them when
// the socket takes them, never waiting, restore and ping for ghosts after each handshake,
// reconnect with backoff, and shut down cleanly.
#include "xmpp/room_service.hpp"

#include <gloox/tag.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <random>
#include <vector>

#include "core/log.hpp"
#include "xmpp/component.hpp"
#include "xmpp/flow_window.hpp"
#include "xmpp/memory_trim.hpp"
#include "xmpp/multicast_discovery.hpp"
#include "xmpp/outbound.hpp"

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

// Durable reports from the sink's threads, and the eventfd that wakes the loop for them and
// for the admin queue. Shared with the sink's handler so a late report after the service
// is gone writes into a live object.
struct Inbox {
  int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  std::mutex mu;
  std::vector<core::LogPosition> durable;
  std::atomic<bool> has_durable{false};
  ~Inbox() {
    if (fd >= 0) ::close(fd);
  }
  void wake() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(fd, &one, sizeof one);
  }
  void add(std::vector<core::LogPosition> ps) {
    {
      std::lock_guard<std::mutex> lock(mu);
      if (durable.empty()) durable = std::move(ps);
      else durable.insert(durable.end(), ps.begin(), ps.end());
      has_durable.store(true, std::memory_order_release);
    }
    wake();
  }
  // Work handed to the loop from other threads (archive answers).
  std::vector<std::function<void()>> tasks;
  std::atomic<bool> has_tasks{false};
  void post(std::function<void()> f) {
    {
      std::lock_guard<std::mutex> lock(mu);
      tasks.push_back(std::move(f));
      has_tasks.store(true, std::memory_order_release);
    }
    wake();
  }
  std::vector<std::function<void()>> take_tasks() {
    std::vector<std::function<void()>> out;
    if (!has_tasks.load(std::memory_order_acquire)) return out;
    std::lock_guard<std::mutex> lock(mu);
    out.swap(tasks);
    has_tasks.store(false, std::memory_order_release);
    return out;
  }
  std::vector<core::LogPosition> take() {
    std::vector<core::LogPosition> out;
    if (!has_durable.load(std::memory_order_acquire)) return out;
    std::lock_guard<std::mutex> lock(mu);
    out.swap(durable);
    has_durable.store(false, std::memory_order_release);
    return out;
  }
};

}  // namespace

struct RoomService::Impl {
  // Wiring: the connection settings, the handler that owns the rooms, the buffer it renders
  // into, the counters; log lines go to core's hook (core/log.hpp).
  ConnectionOptions conn;
  std::string out;  // control output (errors, IQ results, pings) waiting for the next flush
  Outbound outq;    // what waits for the socket: the control lane and one lane per room
  FlowWindow window;  // how much of it may be in the server's hands
  MulticastDiscovery discovery;  // the server's XEP-0033 service, found again at each connect
  bool discovery_reported = true;  // its result of this connection is applied and logged
  // The handler's room output: into the room's lane (logged when tracing).
  struct Lanes final : RoomLanes {
    Impl& impl;
    explicit Lanes(Impl& i) : impl(i) {}
    void room(const std::string& room, std::string_view bytes) override {
      if (impl.trace) impl.log(core::LogLevel::debug, "out (" + room + "): " + std::string(bytes));
      impl.outq.room(room, bytes);
    }
    // A turn that reads many stanzas fills a lane before the turn's end writes it: over its
    // bound, the lane first gives the socket what it takes now (never waiting), and the
    // sender waits only when the server is really behind.
    bool congested(const std::string& room) const override {
      if (!impl.outq.congested(room)) return false;
      impl.flush();
      return impl.outq.congested(room);
    }
  } lanes{*this};
  RoomHandler handler;
  ServiceStats stats;
  using LogLevel = core::LogLevel;
  bool trace = std::getenv("MUCSTREAM_TRACE_STANZAS") != nullptr;  // log every stanza in and out
  std::unique_ptr<ComponentConnection> comp;
  std::mt19937_64 rng{std::random_device{}()};

  // The admin queue: filled by submit()/inspect() on any thread, drained by the loop.
  struct Pending {
    core::Command cmd;
    std::function<void(const core::Decision&)> done;
    std::function<void(const core::Service&)> read;  // set: a read (inspect), not a command
  };
  std::mutex queue_mu;
  std::vector<Pending> queue;
  std::atomic<bool> has_pending{false};
  std::shared_ptr<Inbox> inbox = std::make_shared<Inbox>();
  int wake_fd = inbox->fd;

  CommitOptions commit;
  std::function<core::Service()> restore;
  std::function<bool(const gloox::Tag&)> foreign;  // set_foreign_stanzas
  // False until a connection's restore is done: stanzas read meanwhile wait in `held`.
  bool serving = false;
  // While waiting for acks and restoring, the admin queue and time-driven work wait too.
  bool restoring = false;
  std::vector<std::unique_ptr<gloox::Tag>> held;
  bool busy = false;  // the handler has time-driven work left for the next turn

  static constexpr std::size_t kFlushAt = 256 * 1024;         // flush mid-turn beyond this
  static constexpr std::size_t kMaxIdleBuffer = 1024 * 1024;  // do not keep more capacity

  Impl(ConnectionOptions c, Limits l, core::ServiceConfig cfg, core::Service s, core::IdSource& i, core::Crypto& y,
       core::EventSink& k, CommitOptions co)
      : conn(std::move(c)),
        outq(Outbound::Bounds{conn.outbound_room_bytes, conn.outbound_queue_bytes}),
        window(conn.outbound_window_bytes, "mucstream-flow-" + std::to_string(std::random_device{}()) + "-", 3'000),
        discovery(conn.multicast, conn.domain, "mucstream-mc-" + std::to_string(std::random_device{}()) + "-", 5'000),
        handler(conn.domain, l, std::move(cfg), std::move(s), i, y, k, out, co),
        commit(co) {
    handler.set_lanes(&lanes);
    max_out = l.max_stanza_bytes_out;
    k.set_durable_handler([box = inbox](std::vector<core::LogPosition> ps) { box->add(std::move(ps)); });
  }

  void log(LogLevel l, const std::string& m) { core::log_write(l, "component", m); }

  static Now now() { return Now{now_ms(), mono_ms()}; }

  // The handler's own counters, published for other threads.
  void publish_counts() {
    stats.stanzas_out.store(handler.stanzas_out(), std::memory_order_relaxed);
    stats.events.store(handler.events(), std::memory_order_relaxed);
    stats.parked.store(handler.parked(), std::memory_order_relaxed);
    stats.ghosts_removed.store(handler.ghosts_removed(), std::memory_order_relaxed);
    stats.snapshot_rounds.store(handler.snapshot_rounds(), std::memory_order_relaxed);
    stats.outbound_bytes.store(outq.bytes(), std::memory_order_relaxed);
    stats.archive_requests.store(handler.archive_requests(), std::memory_order_relaxed);
    stats.archive_failures.store(handler.archive_failures(), std::memory_order_relaxed);
    stats.archive_in_flight.store(handler.archive_requests_in_flight(), std::memory_order_relaxed);
    stats.chat_states.store(handler.chat_states(), std::memory_order_relaxed);
    stats.displayed_markers.store(handler.displayed_markers(), std::memory_order_relaxed);
    stats.idle_rooms_closed.store(handler.idle_rooms_closed(), std::memory_order_relaxed);
    stats.multicast_stanzas.store(handler.multicast_stanzas(), std::memory_order_relaxed);
    stats.multicast_recipients.store(handler.multicast_recipients(), std::memory_order_relaxed);
    stats.multicast_fallbacks.store(handler.multicast_fallbacks(), std::memory_order_relaxed);
    stats.multicast_active.store(handler.multicasting(), std::memory_order_relaxed);
    const std::uint64_t skipped = handler.oversize_skipped();
    if (skipped != stats.oversize_skipped.load(std::memory_order_relaxed)) {
      log(LogLevel::warn, std::to_string(skipped - stats.oversize_skipped.load()) +
                              " rendered stanza(s) above xmpp.max_stanza_bytes_out (" +
                              std::to_string(max_out) + ") not sent");
      stats.oversize_skipped.store(skipped, std::memory_order_relaxed);
    }
  }
  std::size_t max_out = 0;

  // Counts what became of a stanza: from the verdict, never from the reply's text.
  void count(Verdict v) {
    if (is_error_reply(v)) stats.errors_out.fetch_add(1, std::memory_order_relaxed);
    if (v == Verdict::refused_flood) stats.rejected_flood.fetch_add(1, std::memory_order_relaxed);
    if (v == Verdict::refused_oversize) stats.rejected_oversize.fetch_add(1, std::memory_order_relaxed);
    if (v == Verdict::refused_unavailable) stats.rejected_unavailable.fetch_add(1, std::memory_order_relaxed);
    if (v == Verdict::refused_backlog) stats.rejected_backlog.fetch_add(1, std::memory_order_relaxed);
  }

  // The domain part of the stanza's `to` (what it is addressed to).
  static std::string to_domain(const gloox::Tag& tag) {
    const std::string& to = tag.findAttribute("to");
    const std::string bare = to.substr(0, to.find('/'));
    const std::size_t at = bare.find('@');
    return at == std::string::npos ? bare : bare.substr(at + 1);
  }

  void on_stanza(const gloox::Tag& tag) {
    // Another domain's stanza: its own loop handles it.
    if (foreign && to_domain(tag) != conn.domain && foreign(tag)) {
      if (core::log_enabled(LogLevel::debug))
        log(LogLevel::debug, "a stanza for " + to_domain(tag) + " read on " + conn.domain +
                                 "'s connection: handed to its own domain's loop");
      return;
    }
    // Answers to the multicast discovery's queries: consumed here, never handled.
    if (tag.name() == "iq" && (tag.findAttribute("type") == "result" || tag.findAttribute("type") == "error")) {
      std::vector<std::string> more;
      if (discovery.answer(tag, mono_ms(), more)) {
        for (const std::string& q : more) outq.control(q);
        use_discovery();
        return;
      }
    }
    // The flow window's markers come back from the server: consumed here, never handled.
    if (tag.name() == "iq" && tag.findAttribute("from") == conn.domain) {
      const bool was_active = window.active();
      if (window.returned(tag.findAttribute("id"), mono_ms())) {
        if (!was_active && window.active())
          log(LogLevel::info, "outbound window on: the server routes markers back (xmpp.outbound_window_bytes " +
                                  std::to_string(conn.outbound_window_bytes) + ")");
        return;
      }
    }
    if (!serving) {  // before the restore: handled once the rooms are in place
      held.emplace_back(tag.clone());
      return;
    }
    handle_stanza(tag);
  }

  void handle_stanza(const gloox::Tag& tag) {
    stats.stanzas_in.fetch_add(1, std::memory_order_relaxed);
    if (trace) log(LogLevel::debug, "in: " + tag.xml());
    try {
      Outcome o = handler.handle(tag, now());
      count(o.verdict);
      for (const std::string& why : o.refused_observations) log(LogLevel::debug, "observation refused: " + why);
    } catch (const std::exception& e) {  // one bad stanza must not take every room down
      log(LogLevel::error, std::string("internal error handling a stanza: ") + e.what());
      count(handler.refuse_internal(tag));
    }
    publish_counts();
    if (out.size() >= kFlushAt) flush();  // keeps the buffer bounded while a turn handles many stanzas
  }

  // Once this connection's discovery has a result: the handler fans out through it (or not),
  // and the log says which.
  void use_discovery() {
    if (discovery_reported || !discovery.finished()) return;
    discovery_reported = true;
    std::size_t cap = conn.multicast_max_recipients;
    if (discovery.advertised_limit() > 0) cap = std::min(cap, discovery.advertised_limit());
    handler.set_multicast(discovery.service(), cap, discovery.recipient_list());
    std::string line = discovery.describe();
    if (handler.multicasting()) line += "; up to " + std::to_string(cap) + " recipients a stanza";
    log(LogLevel::info, line);
    publish_counts();
  }

  // The sink's durable reports: releases what they complete.
  void take_durable() {
    std::vector<core::LogPosition> ps = inbox->take();
    if (ps.empty()) return;
    handler.durable(ps);
    publish_counts();
  }

  // Archive answers that came back from the reader's threads.
  void run_tasks() {
    for (auto& task : inbox->take_tasks()) {
      try {
        task();
      } catch (const std::exception& e) {
        log(LogLevel::error, std::string("internal error answering an archive request: ") + e.what());
      }
    }
  }

  void drain_queue() {
    if (restoring || !has_pending.load(std::memory_order_acquire)) return;
    std::vector<Pending> batch;
    {
      std::lock_guard<std::mutex> lock(queue_mu);
      batch.swap(queue);
      has_pending.store(false, std::memory_order_release);
    }
    for (Pending& p : batch) {
      if (p.read) {
        p.read(handler.service());
        continue;
      }
      core::Decision d = handler.run(p.cmd, now(), std::move(p.done));
      if (d.error && d.error->condition == core::ErrorCondition::resource_constraint && d.events.empty())
        stats.rejected_unavailable.fetch_add(1, std::memory_order_relaxed);
      publish_counts();
    }
  }

  bool writable() const { return comp && comp->ready() && !comp->dead(); }

  // Queues the control output and writes what the socket takes now.
  void flush() {
    if (!out.empty()) {
      if (trace) log(LogLevel::debug, "out: " + out);
      outq.control(out);
      out.clear();
      // A join into a big room renders O(occupants) presences; do not keep that capacity.
      if (out.capacity() > kMaxIdleBuffer) std::string().swap(out);
    }
    pump();
  }

  void pump() {
    if (!writable()) {
      outq.clear();  // while disconnected, deliveries are lost; state and events are not
      return;
    }
    window.tick(mono_ms());
    if (auto m = window.marker(conn.domain, mono_ms())) outq.control(*m);
    if (outq.empty()) return;
    std::size_t written = 0;
    if (outq.write(comp->fd(), written, window.budget()) == Outbound::Write::error) {
      comp->fail_io();
      outq.clear();
    }
    window.wrote(written);
    if (auto m = window.marker(conn.domain, mono_ms())) {  // due after this write: goes out next turn
      outq.control(*m);
      written = 0;
      if (outq.write(comp->fd(), written, 0) == Outbound::Write::error) {
        comp->fail_io();
        outq.clear();
      }
      window.wrote(written);
    }
    stats.bytes_out.fetch_add(written, std::memory_order_relaxed);
    stats.outbound_bytes.store(outq.bytes(), std::memory_order_relaxed);
  }

  // At stop: gives the queue a bounded time to reach the server.
  void drain(std::int64_t until) {
    flush();
    while (writable() && !outq.empty() && mono_ms() < until) {
      pollfd p{comp->fd(), POLLOUT, 0};
      ::poll(&p, 1, 50);
      pump();
    }
  }

  // Waits up to `ms` for the socket (when connected) or the wake-up fd; serves both.
  void turn(int ms) {
    pollfd fds[2] = {{wake_fd, POLLIN, 0}, {-1, POLLIN, 0}};
    if (comp && !comp->dead()) fds[1].fd = comp->fd();
    if (fds[1].fd >= 0 && writable() && outq.ready(window.budget())) fds[1].events |= POLLOUT;
    int n = ::poll(fds, fds[1].fd >= 0 ? 2 : 1, busy ? 0 : ms);
    if (n > 0 && fds[1].fd >= 0 && (fds[1].revents & POLLOUT)) pump();
    if (n > 0 && (fds[0].revents & POLLIN)) {
      std::uint64_t ignored;
      [[maybe_unused]] auto r = ::read(wake_fd, &ignored, sizeof ignored);
    }
    if (n > 0 && fds[1].fd >= 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      // Read what is there in a few chunks so one flush covers many stanzas.
      for (int i = 0; i < 16 && comp->read_available(); ++i) {
        pollfd again{comp->fd(), POLLIN, 0};
        if (again.fd < 0 || ::poll(&again, 1, 0) <= 0) break;
      }
    }
    take_durable();
    run_tasks();
    drain_queue();
    if (serving) {
      discovery.tick(mono_ms());
      use_discovery();
    }
    if (!restoring) {
      busy = handler.tick(now());
      trim_freed_memory(mono_ms());
      publish_counts();
    } else {
      busy = false;
    }
    flush();
  }

  // After a handshake: wait for the log to acknowledge everything published, restore the
  // rooms, then handle what arrived meanwhile and ping every session. False: close and retry.
  bool begin_serving(const std::atomic<bool>& stop) {
    if (restore) {
      restoring = true;
      struct Done {
        bool& flag;
        ~Done() { flag = false; }
      } done{restoring};
      const std::int64_t until = mono_ms() + commit.restore_wait.count();
      while (!stop.load() && !comp->dead() && !handler.all_durable() && mono_ms() < until) turn(50);
      if (stop.load() || comp->dead()) return false;
      if (!handler.all_durable())
        log(LogLevel::warn, "restoring with " + std::to_string(handler.parked()) +
                                " decisions not yet acknowledged by the log after " +
                                std::to_string(commit.restore_wait.count()) + " ms");
      try {
        core::Service s = restore();
        handler.restore(std::move(s));
        stats.restores.fetch_add(1);
        log(LogLevel::info, "restored " + std::to_string(handler.service().rooms.size()) + " rooms");
      } catch (const std::exception& e) {
        stats.restore_failures.fetch_add(1);
        log(LogLevel::error, std::string("restore failed: ") + e.what());
        held.clear();
        return false;
      } catch (...) {
        stats.restore_failures.fetch_add(1);
        log(LogLevel::error, "restore failed: unknown exception");
        held.clear();
        return false;
      }
    }
    serving = true;
    handler.connected();
    discovery_reported = false;
    for (const std::string& q : discovery.start(mono_ms())) outq.control(q);
    use_discovery();  // off or configured: known at once
    busy = true;  // the pings go out on the next turn, without waiting for the socket
    std::vector<std::unique_ptr<gloox::Tag>> early;
    early.swap(held);
    for (const auto& t : early) handle_stanza(*t);
    return true;
  }

  // Ends serving on this connection: what was read but not handled is dropped (the server
  // will not get answers on a dead stream anyway), pings can no longer be answered.
  void end_serving() {
    serving = false;
    outq.clear();
    window.reset();
    held.clear();
    handler.disconnected();
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
        if (comp->ready() && begin_serving(stop)) {
          served = true;
          attempt = 0;
          backoff = conn.min_backoff;
          stats.connects.fetch_add(1);
          stats.connected = true;
          log(LogLevel::info, "connected: serving " + conn.domain + " (" +
                                  std::to_string(handler.service().rooms.size()) + " rooms in memory)");
          while (!stop.load() && !comp->dead()) turn(100);
          stats.connected = false;
        }
        const bool restore_failed = comp->ready() && !served && !comp->dead() && !stop.load();
        end_serving();
        if (restore_failed) {
          if (stop.load()) break;
          comp->close();
          comp.reset();
          auto wait = jittered(backoff);
          log(LogLevel::error, "restore failed; closing and retrying in " + std::to_string(wait.count()) + " ms");
          wait_with_stop(wait, stop);
          backoff = std::min(conn.max_backoff, backoff * 2);
          continue;
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
    // Clean stop: everyone leaves with 332 once the log has their departures (bounded),
    // then the stream closes.
    drain_queue();
    const std::size_t n = handler.shutdown(now());
    const std::int64_t until = mono_ms() + commit.shutdown_wait.count();
    while (!handler.all_durable() && mono_ms() < until) turn(50);
    if (const std::size_t dropped = handler.drop_parked())
      log(LogLevel::warn, std::to_string(dropped) + " decisions not acknowledged by the log at stop: their output is dropped");
    publish_counts();
    drain(mono_ms() + commit.shutdown_wait.count());
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
                         core::IdSource& ids, core::Crypto& crypto, core::EventSink& sink, CommitOptions commit)
    : impl_(std::make_unique<Impl>(std::move(conn), limits, std::move(config), std::move(initial), ids, crypto,
                                   sink, commit)) {}

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

void RoomService::set_archive_reader(core::ArchiveReader* reader) {
  impl_->handler.set_archive_reader(reader, [box = impl_->inbox](std::function<void()> task) { box->post(std::move(task)); });
}

void RoomService::set_foreign_stanzas(std::function<bool(const gloox::Tag&)> other) {
  impl_->foreign = std::move(other);
}

void RoomService::take_stanza(const gloox::Tag& tag) {
  std::shared_ptr<gloox::Tag> copy(tag.clone());
  impl_->inbox->post([impl = impl_.get(), copy] { impl->on_stanza(*copy); });
}

void RoomService::set_restore(std::function<core::Service()> restore) { impl_->restore = std::move(restore); }

void RoomService::set_telemetry_token_source(TelemetryTokenSource source) {
  impl_->handler.set_telemetry_token_source(std::move(source));
}

}  // namespace mucstream::xmpp
