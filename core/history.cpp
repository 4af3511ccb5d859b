#include "core/history.hpp"

#include <utility>

namespace mucstream::core {

std::size_t counted_bytes(const HistoryEntry& e) {
  return e.nick.size() + e.occupant_id.size() + e.from_jid.size() + e.payload.size() + e.stanza_id.size();
}

void History::push_back(HistoryEntry e) {
  bytes_ += counted_bytes(e);
  entries_.push_back(std::move(e));
}

void History::pop_front() {
  bytes_ -= counted_bytes(entries_.front());
  entries_.pop_front();
  // A deque keeps its emptied blocks; dropping it whole lets a drained room's memory go.
  if (entries_.empty()) std::deque<HistoryEntry>().swap(entries_);
}

void History::clear() {
  std::deque<HistoryEntry>().swap(entries_);
  bytes_ = 0;
}

bool History::replace_payload(const std::string& stanza_id, std::string payload) {
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it) {
    if (it->stanza_id != stanza_id) continue;
    bytes_ = bytes_ - it->payload.size() + payload.size();
    it->payload = std::move(payload);
    return true;
  }
  return false;
}

bool History::erase(const std::string& stanza_id) {
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->stanza_id != stanza_id) continue;
    bytes_ -= counted_bytes(*it);
    entries_.erase(it);
    if (entries_.empty()) std::deque<HistoryEntry>().swap(entries_);
    return true;
  }
  return false;
}

}  // namespace mucstream::core
