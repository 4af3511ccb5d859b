#pragma once
// How much output may be in the XMPP server's hands. Bytes handed to the socket sit in
// kernel buffers (tens of MB on loopback) and in the server's input, ahead of everything
// written later: a round-robin queue is only fair if that part stays small. So the loop
// writes at most `window` bytes beyond what the server is known to have processed. It knows
// that by markers: a ping from its domain to its domain, which the server routes back after
// everything written before it. Until a first marker comes back (a server that does not
// route them) there is no window; a marker not back within `timeout_ms` counts as back.
//
//   FlowWindow w(1 << 20, "mucstream-flow-42-", 3000);
//   if (auto m = w.marker(domain, now)) queue_control(*m);      // when due
//   outq.write(fd, written, w.budget());  w.wrote(written);
//   on an iq from our domain: if (w.returned(id, now)) return;  // consumed
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace mucstream::xmpp {

class FlowWindow {
 public:
  FlowWindow(std::size_t window, std::string prefix, std::int64_t timeout_ms)
      : window_(window), prefix_(std::move(prefix)), timeout_ms_(timeout_ms) {}

  // Bytes that may still start being written now (a started chunk is always finished).
  std::size_t budget() const;
  void wrote(std::size_t n) { sent_ += n; }
  // A marker stanza to queue now, when one is due: after each quarter window written (the
  // first one probes whether the server routes markers back).
  std::optional<std::string> marker(const std::string& domain, std::int64_t now_ms);
  // True when `id` is one of this window's markers (consumed: never handled as a stanza).
  bool returned(const std::string& id, std::int64_t now_ms);
  // Markers older than the timeout count as back.
  void tick(std::int64_t now_ms);
  // A new connection: nothing in flight, the server's routing to be proven again.
  void reset();

  bool active() const { return window_ > 0 && confirmed_; }
  std::size_t in_flight() const { return static_cast<std::size_t>(sent_ - acked_); }
  std::uint64_t timeouts() const { return timeouts_; }

 private:
  struct Mark {
    std::uint64_t seq;
    std::uint64_t position;  // bytes written when it was queued: all processed once it is back
    std::int64_t at_ms;
  };
  void credit(std::uint64_t position);

  std::size_t window_;
  std::string prefix_;
  std::int64_t timeout_ms_;
  bool confirmed_ = false;
  std::uint64_t sent_ = 0;
  std::uint64_t acked_ = 0;
  std::uint64_t next_seq_ = 1;
  std::uint64_t last_mark_at_ = 0;
  bool probed_ = false;
  std::deque<Mark> out_;
  std::uint64_t timeouts_ = 0;
};

}  // namespace mucstream::xmpp
