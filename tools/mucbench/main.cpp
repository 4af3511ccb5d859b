// mucbench: load generator for the component alone. It plays the XMPP server's side of
// XEP-0114: listens on loopback, starts `mucstreamd component` against itself, joins R
// rooms of K occupants, then sends groupchat messages at a target rate and counts every
// delivered stanza. Reports sent, delivered, delivered per component CPU-second (from
// /proc), peak RSS, RSS per joined idle occupant and delivery latency p50/p99.
//
//   mucbench --mucstreamd build/tools/mucstreamd --rooms 50 --occupants 10 --rate 2000 --seconds 10
//
// Rate 0 = as fast as the component takes them (at most --window messages in flight).
//
// Through a server: --c2s-port P --muc-domain D [--anon-domain anon.localhost]
// [--server-pid PID] [--component-pid PID] connects R*K anonymous c2s clients (SASL
// ANONYMOUS, no TLS: loopback test servers only) and measures the same figures plus the
// server's CPU per delivered stanza; point --muc-domain at mucstream's domain or at the
// server's own MUC to compare.
//
// --minimal-muc-port P --minimal-muc-secret S [--multicast-to JID]: no MUC at all on the
// server side; mucbench itself is the component for --muc-domain (tools/mucbench/
// minimal_muc.hpp), relays each message one stanza per recipient, or as XEP-0033 multicast
// to JID, and the figures are the server's cost of each way.
//
// --load-hook CMD runs `CMD start` just before the load phase and `CMD end` just after its
// drain, where the CPU figures are sampled: tools/bench/callgrind_hook.sh (fanout.sh with
// FANOUT_CALLGRIND=1) zeroes and dumps a server's instruction counters under callgrind there.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tools/mucbench/minimal_muc.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string mucstreamd = "build/tools/mucstreamd";
  int rooms = 50, occupants = 10;
  double rate = 0;  // messages per second, 0 = unlimited
  double seconds = 10;
  int window = 2000;
  int body_bytes = 40;
  int c2s_port = 0;  // through-a-server mode when set
  std::string muc_domain = "rooms.localhost";
  std::string anon_domain = "anon.localhost";
  pid_t server_pid = 0, component_pid = 0;
  bool check = false;  // exit 1 unless every expected stanza was delivered
  std::vector<std::string> component_args;  // extra arguments of `mucstreamd component`
  std::string label;                        // printed first, to tell runs apart in one report
  int minimal_muc_port = 0;                 // c2s mode: mucbench is the component (minimal_muc.hpp)
  std::string minimal_muc_secret, multicast_to;
  std::string load_hook;  // run as `HOOK start` / `HOOK end` around the load phase
};

[[noreturn]] void die(const std::string& m) {
  std::fprintf(stderr, "mucbench: %s\n", m.c_str());
  std::exit(1);
}

void run_load_hook(const Options& o, const char* phase) {
  if (o.load_hook.empty()) return;
  const std::string cmd = o.load_hook + " " + phase;
  if (std::system(cmd.c_str()) != 0) die("--load-hook failed: " + cmd);
}

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
}

// Counts the complete <message/> stanzas at the front of `in`, records the latency of each
// that carries a send time (ids are "t<ns>"; the sender's own echo carries its id), and
// drops them from the buffer.
std::uint64_t take_deliveries(std::string& in, std::vector<double>& lat_us, std::vector<double>* reflection_us = nullptr) {
  std::uint64_t n = 0;
  std::size_t pos = 0, done = 0;
  while ((pos = in.find("</message>", pos)) != std::string::npos) {
    ++n;
    pos += 10;
    done = pos;
  }
  std::size_t p = 0;
  while ((p = in.find(" id='t", p)) != std::string::npos && p < done) {
    // Only ids mucbench sent ("t" and the send time in ns): an occupant-id or stanza-id may
    // start with a "t" too, and read as a time it would add a latency of hours.
    std::size_t digits = 0;
    while (std::isdigit(static_cast<unsigned char>(in[p + 6 + digits]))) ++digits;
    if (digits < 12 || (in[p + 6 + digits] != '\'' && in[p + 6 + digits] != '.')) {
      p += 6;
      continue;
    }
    const double us = static_cast<double>(now_ns() - std::atoll(in.c_str() + p + 6)) / 1000.0;
    lat_us.push_back(us);
    if (reflection_us != nullptr) {
      // Ids are "t<ns>.<sender>" in component mode: the copy addressed to the sender (its
      // message's `to`, before the id in the component's output) is the reflection.
      const std::size_t dot = in.find('.', p + 6), quote = in.find('\'', p + 6);
      const std::size_t start = in.rfind("<message", p);
      if (dot < quote && start != std::string::npos) {
        const std::string sender = in.substr(dot + 1, quote - dot - 1);
        const std::size_t to = in.find(" to='", start);
        if (to < p && in.compare(to + 5, sender.size() + 1, sender + "@") == 0) reflection_us->push_back(us);
      }
    }
    p += 6;
  }
  in.erase(0, done);
  return n;
}

struct ProcStats {
  double cpu_seconds = 0;
  long rss_kb = 0, hwm_kb = 0;
};

ProcStats proc_stats(pid_t pid) {
  ProcStats s;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  auto close = line.rfind(')');
  std::istringstream rest(line.substr(close + 2));
  std::string tok;
  unsigned long utime = 0, stime = 0;
  for (int field = 3; rest >> tok; ++field) {
    if (field == 14) utime = std::stoul(tok);
    if (field == 15) {
      stime = std::stoul(tok);
      break;
    }
  }
  s.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) s.rss_kb = std::atol(line.c_str() + 6);
    if (line.rfind("VmHWM:", 0) == 0) s.hwm_kb = std::atol(line.c_str() + 6);
  }
  return s;
}

// Seconds waited until the server and the component were quiet (under 5 % of a core over
// half a second), at most 60 s, reading and dropping whatever reaches the clients meanwhile.
// A component may still be sending a big room's join presences after the last joiner got
// its own; counted in the load phase, that work would be charged to the messages, which a
// server's own MUC (its joins done in one go) never is.
template <typename Clients>
double settle_after_joins(const Options& o, Clients& clients) {
  if (!o.server_pid && !o.component_pid) return 0;
  const auto begin = Clock::now();
  const auto cpu = [&] {
    return (o.server_pid ? proc_stats(o.server_pid).cpu_seconds : 0.0) +
           (o.component_pid ? proc_stats(o.component_pid).cpu_seconds : 0.0);
  };
  while (Clock::now() - begin < std::chrono::seconds(60)) {
    const double before = cpu();
    const auto window_end = Clock::now() + std::chrono::milliseconds(500);
    while (Clock::now() < window_end) {
      for (auto& cl : clients) {
        cl.conn->drain(0);
        cl.conn->in().clear();
      }
      usleep(20000);
    }
    if (cpu() - before < 0.025) break;
  }
  return std::chrono::duration<double>(Clock::now() - begin).count();
}

class Conn {
 public:
  explicit Conn(int fd) : fd_(fd) {
    int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  void queue(const std::string& s) { out_ += s; }
  void flush() {
    std::size_t off = 0;
    while (off < out_.size()) {
      ssize_t n = ::write(fd_, out_.data() + off, out_.size() - off);
      if (n < 0) {
        if (errno == EINTR) continue;
        die("write failed");
      }
      off += static_cast<std::size_t>(n);
      if (off < out_.size()) drain(0);  // keep reading so the component never blocks on us
    }
    out_.clear();
  }
  // Reads what is there (waiting up to ms); returns false on EOF.
  bool drain(int ms) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, ms) <= 0) return true;
    char buf[1 << 16];
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) return false;
    in_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  std::string& in() { return in_; }
  int fd() const { return fd_; }

 private:
  int fd_;
  std::string out_, in_;
};

std::string sha1_hex(const std::string& s) {
  // The handshake needs SHA-1 of stream id + secret; use the system's sha1sum to stay small.
  std::string cmd = "printf '%s' '" + s + "' | sha1sum";
  FILE* p = popen(cmd.c_str(), "r");
  char buf[64] = {};
  if (!p || !fgets(buf, sizeof buf, p)) die("sha1sum failed");
  pclose(p);
  return std::string(buf, 40);
}

// --- through a server (c2s clients) -------------------------------------------------

struct Client {
  std::unique_ptr<Conn> conn;
  std::string jid;
  int room = 0, index = 0;
};

int connect_loopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<std::uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) die("cannot connect to the c2s port");
  return fd;
}

// Waits until `needle` or `or_else` (when given) is in the buffer; returns which came first.
bool wait_for(Conn& c, const std::string& needle, const char* what, const std::string& or_else = {}, int seconds = 20) {
  const auto deadline = Clock::now() + std::chrono::seconds(seconds);
  for (;;) {
    const std::size_t hit = c.in().find(needle);
    const std::size_t other = or_else.empty() ? std::string::npos : c.in().find(or_else);
    if (hit != std::string::npos || other != std::string::npos) return hit < other;
    if (Clock::now() > deadline) die(std::string("timed out waiting for ") + what + ": " + c.in().substr(0, 300));
    if (!c.drain(100)) die(std::string("server closed the stream waiting for ") + what);
  }
}

std::string stream_header(const std::string& to) {
  return "<?xml version='1.0'?><stream:stream to='" + to +
         "' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
}

// The minimal MUC's component stream (XEP-0114) for the domain `o.muc_domain`.
std::unique_ptr<Conn> connect_minimal_muc(const Options& o) {
  auto c = std::make_unique<Conn>(connect_loopback(o.minimal_muc_port));
  c->queue("<stream:stream xmlns='jabber:component:accept' xmlns:stream='http://etherx.jabber.org/streams' to='" +
           o.muc_domain + "'>");
  c->flush();
  wait_for(*c, " id=", "the component stream header");
  wait_for(*c, ">", "the component stream header");
  const std::size_t at = c->in().find(" id=") + 5;
  const std::string id = c->in().substr(at, c->in().find(c->in()[at - 1], at) - at);
  c->in().clear();
  c->queue("<handshake>" + sha1_hex(id + o.minimal_muc_secret) + "</handshake>");
  c->flush();
  if (!wait_for(*c, "<handshake", "the handshake", "error")) die("the server refused the component: " + c->in());
  c->in().clear();
  return c;
}

int run_c2s(const Options& o) {
  const int total = o.rooms * o.occupants;
  std::vector<Client> clients(static_cast<std::size_t>(total));
  auto room = [&](int r) { return "bench" + std::to_string(r) + "-" + std::to_string(getpid()) + "@" + o.muc_domain; };
  // Log in (in waves, so the server's accept queue is not overrun).
  for (int i = 0; i < total; ++i) {
    Client& cl = clients[static_cast<std::size_t>(i)];
    cl.room = i / o.occupants;
    cl.index = i % o.occupants;
    cl.conn = std::make_unique<Conn>(connect_loopback(o.c2s_port));
    Conn& c = *cl.conn;
    c.queue(stream_header(o.anon_domain));
    c.flush();
    wait_for(c, "</stream:features>", "features");
    c.in().clear();
    c.queue("<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='ANONYMOUS'/>");
    c.flush();
    wait_for(c, "<success", "SASL success");
    c.in().clear();
    c.queue(stream_header(o.anon_domain));
    c.flush();
    wait_for(c, "</stream:features>", "features after auth");
    c.in().clear();
    c.queue("<iq type='set' id='bind'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></iq>");
    c.flush();
    wait_for(c, "</jid>", "bind");
    auto b = c.in().find("<jid>") + 5;
    cl.jid = c.in().substr(b, c.in().find("</jid>") - b);
    c.in().clear();
  }
  std::unique_ptr<Conn> muc_conn;
  std::unique_ptr<mucbench::MinimalMuc> muc;
  if (o.minimal_muc_port != 0) {
    muc_conn = connect_minimal_muc(o);
    muc = std::make_unique<mucbench::MinimalMuc>(muc_conn->fd(), o.multicast_to);
    for (const auto& cl : clients) muc->add_member(room(cl.room), cl.jid, "u" + std::to_string(cl.index));
  }
  const auto joins_start = Clock::now();
  const ProcStats server_before_join = o.server_pid ? proc_stats(o.server_pid) : ProcStats{};
  const ProcStats comp_before_join = o.component_pid ? proc_stats(o.component_pid) : ProcStats{};
  // Join: the first of each room creates it and accepts it as an instant room.
  auto join = [&](const Client& cl) {
    return "<presence to='" + room(cl.room) + "/u" + std::to_string(cl.index) +
           "'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>";
  };
  for (auto& cl : clients) {
    if (cl.index != 0 || muc) continue;
    Conn& c = *cl.conn;
    c.queue(join(cl));
    c.flush();
    wait_for(c, "code='110'", "room creation");
    c.in().clear();
    c.queue("<iq type='set' id='cfg' to='" + room(cl.room) + "'><query xmlns='http://jabber.org/protocol/muc#owner'>"
            "<x xmlns='jabber:x:data' type='submit'/></query></iq>");
    c.flush();
    wait_for(c, "id='cfg'", "instant room");
  }
  // The others a batch at a time: a big room's joins all at once would make the MUC send
  // about occupants^2 presences in one burst, which mucstream refuses for now (its bound on
  // a room's output backlog) with resource-constraint, type wait; a refused join waits and
  // comes again, as a client would. A server saturated by a big room's presences may take
  // long to answer at all.
  constexpr std::size_t kJoinBatch = 16;
  std::vector<Client*> joiners;
  for (auto& cl : clients)
    if (cl.index != 0 && !muc) joiners.push_back(&cl);
  for (std::size_t b = 0; b < joiners.size(); b += kJoinBatch) {
    const std::size_t e = std::min(joiners.size(), b + kJoinBatch);
    for (std::size_t i = b; i < e; ++i) {
      joiners[i]->conn->queue(join(*joiners[i]));
      joiners[i]->conn->flush();
    }
    for (std::size_t i = b; i < e; ++i) {
      Client& cl = *joiners[i];
      const auto deadline = Clock::now() + std::chrono::seconds(120);
      while (!wait_for(*cl.conn, "code='110'", "join", "<resource-constraint", 60)) {
        if (Clock::now() > deadline) die("join refused for 120 s: " + cl.conn->in().substr(0, 300));
        cl.conn->in().clear();
        usleep(100000);
        cl.conn->queue(join(cl));
        cl.conn->flush();
      }
      cl.conn->in().clear();
    }
    // Whoever is in gets the newcomers' presences: read and drop them so no socket fills up.
    auto drop_pending = [](Client& cl) {
      cl.conn->drain(0);
      cl.conn->in().clear();
    };
    for (auto& cl : clients)
      if (cl.index == 0) drop_pending(cl);
    for (std::size_t i = 0; i < e; ++i) drop_pending(*joiners[i]);
  }
  usleep(500000);
  for (auto& cl : clients) {
    cl.conn->drain(0);
    cl.conn->in().clear();
  }
  const ProcStats comp_after_join = o.component_pid ? proc_stats(o.component_pid) : ProcStats{};
  const ProcStats server_after_join = o.server_pid ? proc_stats(o.server_pid) : ProcStats{};
  const double join_seconds = std::chrono::duration<double>(Clock::now() - joins_start).count();
  const double settle_seconds = settle_after_joins(o, clients);

  const std::string body(static_cast<std::size_t>(o.body_bytes), 'm');
  std::vector<pollfd> fds;
  for (auto& cl : clients) fds.push_back({cl.conn->fd(), POLLIN, 0});
  if (muc) fds.push_back({muc->fd(), POLLIN, 0});
  std::vector<double> lat_us;
  std::uint64_t sent = 0, delivered = 0, seq = 0;
  auto drain_all = [&](int ms) {
    if (::poll(fds.data(), fds.size(), ms) <= 0) return;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      if (i == clients.size()) {
        if (!muc->on_readable()) die("server closed the minimal MUC's component stream");
        continue;
      }
      Conn& c = *clients[i].conn;
      if (!c.drain(0)) die("server closed a client stream under load");
      delivered += take_deliveries(c.in(), lat_us);
    }
  };
  run_load_hook(o, "start");
  const ProcStats server_before = o.server_pid ? proc_stats(o.server_pid) : ProcStats{};
  const ProcStats comp_before = o.component_pid ? proc_stats(o.component_pid) : ProcStats{};
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(o.seconds);
  while (Clock::now() < end) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::uint64_t target = o.rate > 0 ? static_cast<std::uint64_t>(elapsed * o.rate) : sent + 50;
    const std::uint64_t acked = delivered / static_cast<std::uint64_t>(o.occupants);
    if (target > acked + static_cast<std::uint64_t>(o.window)) target = acked + static_cast<std::uint64_t>(o.window);
    while (sent < target) {
      Client& cl = clients[static_cast<std::size_t>(seq++ % static_cast<std::uint64_t>(total))];
      cl.conn->queue("<message to='" + room(cl.room) + "' type='groupchat' id='t" + std::to_string(now_ns()) +
                     "'><body>" + body + "</body></message>");
      cl.conn->flush();
      ++sent;
    }
    drain_all(1);
  }
  const auto drain_until = Clock::now() + std::chrono::seconds(10);
  while (delivered < sent * static_cast<std::uint64_t>(o.occupants) && Clock::now() < drain_until) drain_all(10);
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const ProcStats server_after = o.server_pid ? proc_stats(o.server_pid) : ProcStats{};
  const ProcStats comp_after = o.component_pid ? proc_stats(o.component_pid) : ProcStats{};
  run_load_hook(o, "end");
  std::sort(lat_us.begin(), lat_us.end());
  auto pct = [&](double q) { return lat_us.empty() ? 0.0 : lat_us[static_cast<std::size_t>(q * (lat_us.size() - 1))]; };
  const double server_cpu = server_after.cpu_seconds - server_before.cpu_seconds;
  const double comp_cpu = comp_after.cpu_seconds - comp_before.cpu_seconds;
  std::printf("shape            %d rooms x %d occupants via c2s, MUC %s%s, %s msg/s, %.1f s, body %d B\n", o.rooms,
              o.occupants, o.muc_domain.c_str(),
              !muc ? "" : o.multicast_to.empty() ? " (mucbench's minimal MUC, per recipient)"
                                                 : (" (mucbench's minimal MUC, multicast to " + o.multicast_to + ")").c_str(),
              o.rate > 0 ? std::to_string(static_cast<long>(o.rate)).c_str() : "max", o.seconds, o.body_bytes);
  std::printf("joins            %d occupants in %.1f s, then %.1f s until the server was quiet\n", total,
              join_seconds, settle_seconds);
  std::printf("sent             %llu messages\n", static_cast<unsigned long long>(sent));
  std::printf("delivered        %llu stanzas (expected %llu) in %.2f s = %.0f/s\n",
              static_cast<unsigned long long>(delivered), static_cast<unsigned long long>(sent * o.occupants), wall,
              delivered / wall);
  if (o.server_pid)
    std::printf("server CPU       %.2f s -> %.0f delivered per server CPU-second (%.1f us per delivered stanza)\n",
                server_cpu, server_cpu > 0 ? delivered / server_cpu : 0.0, delivered ? server_cpu * 1e6 / delivered : 0.0);
  if (o.component_pid)
    std::printf("component CPU    %.2f s -> %.0f delivered per component CPU-second\n", comp_cpu,
                comp_cpu > 0 ? delivered / comp_cpu : 0.0);
  if (o.server_pid)
    std::printf("server RSS       +%ld KiB for %d joined occupants (%.0f B each, sessions included)\n",
                server_after_join.rss_kb - server_before_join.rss_kb, total,
                (server_after_join.rss_kb - server_before_join.rss_kb) * 1024.0 / total);
  if (o.component_pid)
    std::printf("component RSS    +%ld KiB for %d joined occupants (%.0f B each)\n",
                comp_after_join.rss_kb - comp_before_join.rss_kb, total,
                (comp_after_join.rss_kb - comp_before_join.rss_kb) * 1024.0 / total);
  std::printf("latency          p50 %.0f us, p99 %.0f us (%zu samples)\n", pct(0.5), pct(0.99), lat_us.size());
  if (o.check && delivered != sent * static_cast<std::uint64_t>(o.occupants)) {
    std::printf("CHECK FAILED: not every message reached every occupant\n");
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--mucstreamd") o.mucstreamd = next();
    else if (a == "--rooms") o.rooms = std::stoi(next());
    else if (a == "--occupants") o.occupants = std::stoi(next());
    else if (a == "--rate") o.rate = std::stod(next());
    else if (a == "--seconds") o.seconds = std::stod(next());
    else if (a == "--window") o.window = std::stoi(next());
    else if (a == "--body-bytes") o.body_bytes = std::stoi(next());
    else if (a == "--check") o.check = true;
    else if (a == "--c2s-port") o.c2s_port = std::stoi(next());
    else if (a == "--muc-domain") o.muc_domain = next();
    else if (a == "--anon-domain") o.anon_domain = next();
    else if (a == "--server-pid") o.server_pid = static_cast<pid_t>(std::stoi(next()));
    else if (a == "--component-pid") o.component_pid = static_cast<pid_t>(std::stoi(next()));
    else if (a == "--component-arg") o.component_args.push_back(next());
    else if (a == "--label") o.label = next();
    else if (a == "--minimal-muc-port") o.minimal_muc_port = std::stoi(next());
    else if (a == "--minimal-muc-secret") o.minimal_muc_secret = next();
    else if (a == "--multicast-to") o.multicast_to = next();
    else if (a == "--load-hook") o.load_hook = next();
    else if (a == "--help") {
      std::puts("usage: mucbench [--mucstreamd PATH] [--rooms R] [--occupants K] [--rate MSG/S (0=max)] "
                "[--seconds S] [--window N] [--body-bytes B] [--check]\n"
                "       [--component-arg ARG]... (e.g. --component-arg=--kafka-brokers=B) [--label TEXT]\n"
                "       [--c2s-port P --muc-domain D [--anon-domain A] [--server-pid PID] [--component-pid PID]\n"
                "        [--minimal-muc-port P --minimal-muc-secret S [--multicast-to JID]] [--load-hook CMD]]");
      return 0;
    } else die("unknown option " + a);
  }
  signal(SIGPIPE, SIG_IGN);
  if (o.c2s_port != 0) return run_c2s(o);
  int lfd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(lfd, 1) != 0) die("listen failed");
  socklen_t len = sizeof addr;
  getsockname(lfd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string port = std::to_string(ntohs(addr.sin_port));
  const std::string domain = "bench.localhost", secret = "bench";

  pid_t child = fork();
  if (child == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    std::vector<std::string> args = {o.mucstreamd, "component", "--xmpp-port", port, "--domain", domain,
                                     "--secret", secret, "--xmpp-events", "none", "--limits-messages-per-second", "0",
                                     "--log-level", "warn", "--rooms-max-occupants", "100000"};
    args.insert(args.end(), o.component_args.begin(), o.component_args.end());
    std::vector<char*> argv_c;
    for (auto& a : args) argv_c.push_back(a.data());
    argv_c.push_back(nullptr);
    execv(o.mucstreamd.c_str(), argv_c.data());
    std::perror("exec mucstreamd");
    _exit(127);
  }
  pollfd lp{lfd, POLLIN, 0};
  if (::poll(&lp, 1, 10000) != 1) die("mucstreamd did not connect");
  Conn c(::accept(lfd, nullptr, nullptr));
  while (c.in().find("jabber:component:accept") == std::string::npos || c.in().find('>') == std::string::npos)
    if (!c.drain(5000)) die("no stream header");
  c.in().clear();
  c.queue("<?xml version='1.0'?><stream:stream xmlns='jabber:component:accept' "
          "xmlns:stream='http://etherx.jabber.org/streams' id='bench1' from='" + domain + "'>");
  c.flush();
  while (c.in().find("</handshake>") == std::string::npos)
    if (!c.drain(5000)) die("no handshake");
  auto hs = c.in().find("<handshake>") + 11;
  if (c.in().substr(hs, 40) != sha1_hex("bench1" + secret)) die("bad handshake digest");
  c.in().clear();
  c.queue("<handshake/>");
  c.flush();
  usleep(200000);
  const ProcStats before_join = proc_stats(child);

  // Join: the first occupant creates each room and accepts it as an instant room.
  auto user = [](int r, int k) { return "u" + std::to_string(r) + "_" + std::to_string(k) + "@bench.client/x"; };
  auto room = [&](int r) { return "room" + std::to_string(r) + "@" + domain; };
  std::size_t expected_self = 0;
  for (int r = 0; r < o.rooms; ++r) {
    c.queue("<presence from='" + user(r, 0) + "' to='" + room(r) + "/u0'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
    c.queue("<iq from='" + user(r, 0) + "' to='" + room(r) + "' type='set' id='cfg" + std::to_string(r) +
            "'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'>"
            "<field var='muc#roomconfig_historylength'><value>0</value></field></x></query></iq>");
    ++expected_self;
  }
  for (int r = 0; r < o.rooms; ++r)
    for (int k = 1; k < o.occupants; ++k) {
      c.queue("<presence from='" + user(r, k) + "' to='" + room(r) + "/u" + std::to_string(k) +
              "'><x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='0'/></x></presence>");
      ++expected_self;
    }
  c.flush();
  std::size_t self_seen = 0;
  const auto join_deadline = Clock::now() + std::chrono::seconds(60);
  while (self_seen < expected_self) {
    if (Clock::now() > join_deadline) die("joins did not complete");
    if (!c.drain(100)) die("component closed the stream during joins");
    std::size_t pos;
    while ((pos = c.in().find("code='110'")) != std::string::npos) {
      ++self_seen;
      c.in().erase(0, pos + 10);
    }
    if (c.in().size() > 64) c.in().erase(0, c.in().size() - 64);
  }
  usleep(300000);
  c.in().clear();
  const ProcStats after_join = proc_stats(child);
  const int total_occupants = o.rooms * o.occupants;

  // Load.
  const std::string body(static_cast<std::size_t>(o.body_bytes), 'm');
  std::vector<double> lat_us, reflection_us;
  lat_us.reserve(1 << 20);
  std::uint64_t sent = 0, delivered = 0;
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration<double>(o.seconds);
  std::uint64_t seq = 0;
  auto parse_deliveries = [&] {
    delivered += take_deliveries(c.in(), lat_us, &reflection_us);
  };
  const auto cpu_before = proc_stats(child).cpu_seconds;
  std::uint64_t in_flight_base = 0;
  while (Clock::now() < end) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::uint64_t target = o.rate > 0 ? static_cast<std::uint64_t>(elapsed * o.rate) : sent + 200;
    // Stay within the window: each message yields `occupants` deliveries.
    const std::uint64_t acked = delivered / static_cast<std::uint64_t>(o.occupants);
    if (target > acked + in_flight_base + static_cast<std::uint64_t>(o.window)) target = acked + o.window;
    while (sent < target) {
      const int r = static_cast<int>(seq % static_cast<std::uint64_t>(o.rooms));
      const int k = static_cast<int>((seq / static_cast<std::uint64_t>(o.rooms)) % static_cast<std::uint64_t>(o.occupants));
      ++seq;
      c.queue("<message from='" + user(r, k) + "' to='" + room(r) + "' type='groupchat' id='t" +
              std::to_string(now_ns()) + ".u" + std::to_string(r) + "_" + std::to_string(k) + "'><body>" + body +
              "</body></message>");
      ++sent;
    }
    c.flush();
    if (!c.drain(1)) die("component closed the stream under load");
    parse_deliveries();
  }
  const auto drain_until = Clock::now() + std::chrono::seconds(5);
  while (delivered < sent * static_cast<std::uint64_t>(o.occupants) && Clock::now() < drain_until) {
    if (!c.drain(10)) break;
    parse_deliveries();
  }
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const ProcStats fin = proc_stats(child);
  const double cpu = fin.cpu_seconds - cpu_before;
  kill(child, SIGTERM);
  int st = 0;
  waitpid(child, &st, 0);

  std::sort(lat_us.begin(), lat_us.end());
  std::sort(reflection_us.begin(), reflection_us.end());
  auto pct = [&](double q) { return lat_us.empty() ? 0.0 : lat_us[static_cast<std::size_t>(q * (lat_us.size() - 1))]; };
  auto rpct = [&](double q) {
    return reflection_us.empty() ? 0.0 : reflection_us[static_cast<std::size_t>(q * (reflection_us.size() - 1))];
  };
  if (!o.label.empty()) std::printf("run              %s\n", o.label.c_str());
  std::printf("shape            %d rooms x %d occupants, %s msg/s, %.1f s, body %d B\n", o.rooms, o.occupants,
              o.rate > 0 ? std::to_string(static_cast<long>(o.rate)).c_str() : "max", o.seconds, o.body_bytes);
  std::printf("sent             %llu messages\n", static_cast<unsigned long long>(sent));
  std::printf("delivered        %llu stanzas (expected %llu) in %.2f s = %.0f/s\n",
              static_cast<unsigned long long>(delivered), static_cast<unsigned long long>(sent * o.occupants), wall,
              delivered / wall);
  std::printf("component CPU    %.2f s -> %.0f delivered per CPU-second\n", cpu, cpu > 0 ? delivered / cpu : 0.0);
  std::printf("component RSS    peak %ld KiB; idle joined occupants: %.0f B each (%ld KiB for %d)\n", fin.hwm_kb,
              (after_join.rss_kb - before_join.rss_kb) * 1024.0 / total_occupants,
              after_join.rss_kb - before_join.rss_kb, total_occupants);
  std::printf("latency          p50 %.0f us, p99 %.0f us (%zu samples)\n", pct(0.5), pct(0.99), lat_us.size());
  std::printf("reflection       p50 %.0f us, p99 %.0f us (%zu samples: send -> the sender's own copy)\n", rpct(0.5),
              rpct(0.99), reflection_us.size());
  if (o.check && delivered != sent * static_cast<std::uint64_t>(o.occupants)) {
    std::printf("CHECK FAILED: not every message reached every occupant\n");
    return 1;
  }
  if (o.check && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
    std::printf("CHECK FAILED: mucstreamd did not exit cleanly on SIGTERM (status %d)\n", st);
    return 1;
  }
  return 0;
}
