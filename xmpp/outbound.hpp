#pragma once
// Output that never blocks the room loop. Rendered stanzas wait in lanes: a control lane
// (IQ results, pings, error replies) written first, and one lane per room, written round
// robin a chunk (whole stanzas) at a time, so a quiet room's stanza does not wait behind a
// flooded room's backlog. The loop writes what the socket takes when poll() reports POLLOUT.
// Each lane and the total are bounded by what the loop lets in: a room whose lane is over
// its bound is `congested`, and the handler refuses new changes into it (the sender waits).
//
//   Outbound q({.lane_bytes = 4 << 20, .total_bytes = 64 << 20});
//   q.room("r@rooms.example", bytes);   q.control(iq_result);
//   if (q.congested("r@rooms.example")) refuse();          // resource-constraint, type wait
//   while (!q.empty() && poll(POLLOUT)) if (q.write(fd) == Outbound::Write::error) reconnect();
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>

namespace mucstream::xmpp {

// Ends a stanza in a room's output (never valid in XML, so never inside one) wherever at
// least kChunk bytes came since the last one: the lanes split there, so another room's
// stanza can be written after any big stanza, not only after a whole decision's output.
inline constexpr char kStanzaEnd = '\0';

// Where a room's released output goes and whether the room may take more now. `bytes` are
// whole stanzas, possibly with kStanzaEnd between them.
class RoomLanes {
 public:
  virtual ~RoomLanes() = default;
  virtual void room(const std::string& room, std::string_view bytes) = 0;
  virtual bool congested(const std::string& room) const = 0;
};

class Outbound final : public RoomLanes {
 public:
  struct Bounds {
    std::size_t lane_bytes = 4u << 20;    // a room's backlog beyond which it is congested
    std::size_t total_bytes = 64u << 20;  // all backlogs: beyond, every room with a backlog is congested
  };
  explicit Outbound(Bounds b) : bounds_(b) {}

  void control(std::string_view bytes);
  void room(const std::string& room, std::string_view bytes) override;
  bool congested(const std::string& room) const override;

  enum class Write { ok, error };
  // Writes what `fd` takes without waiting (MSG_DONTWAIT); `written` grows by the bytes
  // written. Room chunks start only while `room_budget` bytes are left (FlowWindow); the
  // control lane is never held. error: the socket failed (the connection is gone).
  Write write(int fd, std::size_t& written, std::size_t room_budget = static_cast<std::size_t>(-1));
  // For tests: hands the next chunk in the order write() would send it.
  std::string take_next();

  bool empty() const { return total_ == 0; }
  // Something write() would write now with this room budget (else POLLOUT would spin).
  bool ready(std::size_t room_budget) const {
    return offset_ < current_.size() || !control_.chunks.empty() || (room_budget > 0 && !active_.empty());
  }
  std::size_t bytes() const { return total_; }
  std::size_t lane_bytes(const std::string& room) const;
  std::size_t rooms_waiting() const { return active_.size(); }
  void clear();  // the connection went: what waits is lost

  static constexpr std::size_t kChunk = 16 * 1024;   // small appends join the lane's last chunk
  static constexpr std::size_t kBatch = 256 * 1024;  // chunks written in one send

 private:
  struct Lane {
    std::deque<std::string> chunks;
    std::size_t bytes = 0;
    bool active = false;  // in active_
  };
  static void append(Lane& l, std::string_view bytes);
  // Moves (or appends) the next chunk in order into `into`; false when nothing waits.
  bool pop(bool rooms, std::string& into);

  Bounds bounds_;
  Lane control_;
  std::unordered_map<std::string, Lane> rooms_;
  std::deque<std::string> active_;  // rooms with chunks, in round-robin order
  std::string current_;             // the chunk being written (a partial write resumes it)
  std::size_t offset_ = 0;
  std::size_t total_ = 0;
};

}  // namespace mucstream::xmpp
