#pragma once
// The commit point: what a decision rendered (deliveries, the IQ result, the admin API's
// answer) is held until every log position its events got is durable, then released into
// the loop's output buffer, per room in the order the decisions were taken. Another room's
// output is never held by this one's. Position 0 is durable at once.
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/sink.hpp"
#include "xmpp/outbound.hpp"

namespace mucstream::xmpp {

class Parking {
 public:
  // `immediate`: release at once whatever the log says (the benchmark baseline).
  explicit Parking(bool immediate = false) : immediate_(immediate) {}

  // Released output goes to the room's lane instead of `out` (the loop's outbound queue).
  void set_lanes(RoomLanes* lanes) { lanes_ = lanes; }

  // A position publish() returned; 0 is ignored. Tracked until durable for all_durable().
  void published(core::LogPosition p);

  // Called when a held decision is released (true) or dropped (false).
  using After = std::function<void(bool released)>;

  // The output of one decision in `room` whose events got `positions`: appended to `out`
  // (and `after` called) now when nothing is outstanding for it or before it in the room,
  // else held. `bytes` is left empty (its capacity kept when released at once).
  void park(const std::string& room, const std::vector<core::LogPosition>& positions, std::string& bytes, After after,
            std::string& out);

  // Positions the sink reported durable: releases what they complete into `out`.
  void durable(const std::vector<core::LogPosition>& positions, std::string& out);

  // Drops everything still held (the service stops without the log's answer), calling
  // each held decision's `after` with false; returns how many.
  std::size_t drop_all();

  bool all_durable() const { return unacked_.empty(); }
  std::size_t held() const { return held_; }          // decisions waiting
  std::size_t unacked() const { return unacked_.size(); }  // positions waiting

 private:
  struct Entry {
    std::size_t remaining = 0;  // positions not durable yet
    std::string bytes;
    After after;
  };
  using Queue = std::deque<std::unique_ptr<Entry>>;
  void release_front(const std::string& room, Queue& q, std::string& out);
  void emit(const std::string& room, std::string& bytes, std::string& out);

  bool immediate_;
  RoomLanes* lanes_ = nullptr;
  std::unordered_set<core::LogPosition> unacked_;
  std::unordered_map<std::string, Queue> rooms_;
  // Position -> the held decision waiting for it and the room queue it is in.
  struct Waiter {
    Entry* entry;
    std::string room;
  };
  std::unordered_map<core::LogPosition, Waiter> waiting_;
  std::size_t held_ = 0;
};

}  // namespace mucstream::xmpp
