#include "xmpp/parking.hpp"

namespace mucstream::xmpp {

void Parking::published(core::LogPosition p) {
  if (p != 0) unacked_.insert(p);
}

void Parking::park(const std::string& room, const std::vector<core::LogPosition>& positions, std::string& bytes, After after,
                   std::string& out) {
  auto e = std::make_unique<Entry>();
  if (!immediate_) {
    for (core::LogPosition p : positions)
      if (p != 0 && unacked_.count(p) != 0 && waiting_.count(p) == 0) ++e->remaining;
  }
  auto it = rooms_.find(room);
  if (e->remaining == 0 && (it == rooms_.end() || it->second.empty())) {
    emit(room, bytes, out);
    bytes.clear();
    if (after) after(true);
    return;
  }
  e->bytes = std::move(bytes);
  bytes.clear();
  e->after = std::move(after);
  if (!immediate_) {
    for (core::LogPosition p : positions)
      if (p != 0 && unacked_.count(p) != 0 && waiting_.count(p) == 0) waiting_.emplace(p, Waiter{e.get(), room});
  }
  if (it == rooms_.end()) it = rooms_.emplace(room, Queue{}).first;
  it->second.push_back(std::move(e));
  ++held_;
}

void Parking::durable(const std::vector<core::LogPosition>& positions, std::string& out) {
  for (core::LogPosition p : positions) {
    unacked_.erase(p);
    auto w = waiting_.find(p);
    if (w == waiting_.end()) continue;  // nothing held for it (no output, or an unparked decision)
    Waiter waiter = std::move(w->second);
    waiting_.erase(w);
    --waiter.entry->remaining;
    auto q = rooms_.find(waiter.room);
    if (q == rooms_.end()) continue;
    release_front(waiter.room, q->second, out);
    if (q->second.empty()) rooms_.erase(q);
  }
}

void Parking::emit(const std::string& room, std::string& bytes, std::string& out) {
  if (lanes_ != nullptr) lanes_->room(room, bytes);
  else out += bytes;
}

void Parking::release_front(const std::string& room, Queue& q, std::string& out) {
  while (!q.empty() && q.front()->remaining == 0) {
    std::unique_ptr<Entry> e = std::move(q.front());
    q.pop_front();
    --held_;
    emit(room, e->bytes, out);
    if (e->after) e->after(true);
  }
}

std::size_t Parking::drop_all() {
  std::size_t n = 0;
  for (auto& [room, q] : rooms_)
    for (auto& e : q) {
      ++n;
      if (e->after) e->after(false);
    }
  rooms_.clear();
  waiting_.clear();
  held_ = 0;
  return n;
}

}  // namespace mucstream::xmpp
