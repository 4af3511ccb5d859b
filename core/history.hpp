#pragma once
// A room's discussion history (XEP-0045 §7.2.15): the newest messages, bounded by count
// (the room's history_length) and by bytes (HistoryLimits), trimmed by apply() alone.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

namespace mucstream::core {

struct HistoryEntry {
  std::string nick;
  std::string occupant_id;
  std::string from_jid;   // the sender's real JID, shown to those who may see it
  std::string payload;    // the client's message children, byte-for-byte
  std::string stanza_id;  // XEP-0359 id given by the room (= the event id)
  std::int64_t time_ms = 0;
  friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

// The bytes an entry counts for: its text, which is what grows with hostile input.
std::size_t counted_bytes(const HistoryEntry&);

// The entries, oldest first, with their counted bytes kept as they are added and removed.
class History {
 public:
  using const_iterator = std::deque<HistoryEntry>::const_iterator;
  using const_reverse_iterator = std::deque<HistoryEntry>::const_reverse_iterator;

  void push_back(HistoryEntry e);
  void pop_front();
  void clear();
  // XEP-0308: the entry with this stanza-id now shows `payload` (false: no such entry).
  bool replace_payload(const std::string& stanza_id, std::string payload);
  // XEP-0424/0425: the entry with this stanza-id goes (false: no such entry).
  bool erase(const std::string& stanza_id);

  const HistoryEntry& front() const { return entries_.front(); }
  const HistoryEntry& back() const { return entries_.back(); }
  const HistoryEntry& operator[](std::size_t i) const { return entries_[i]; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  std::size_t bytes() const { return bytes_; }
  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  const_reverse_iterator rbegin() const { return entries_.rbegin(); }
  const_reverse_iterator rend() const { return entries_.rend(); }

  friend bool operator==(const History& a, const History& b) { return a.entries_ == b.entries_; }

 private:
  std::deque<HistoryEntry> entries_;
  std::size_t bytes_ = 0;
};

}  // namespace mucstream::core
