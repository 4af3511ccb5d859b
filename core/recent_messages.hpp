#pragma once
// A room's recent messages, as far as corrections (XEP-0308) and retractions (XEP-0424,
// XEP-0425) need them: which ids name which message and who wrote it. Kept by apply() from
// message_sent / message_corrected / message_retracted, so replaying the log rebuilds it;
// bounded per room by HistoryLimits::recent_per_room (the oldest go first). Independent of
// the join history, whose length an owner may set to 0.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

namespace mucstream::core {

struct RecentMessage {
  std::string stanza_id;  // the room's XEP-0359 id (the event id)
  std::string client_id;  // the sender's own id (origin-id or id attribute), may be empty
  std::string bare_jid;   // the author
  std::string occupant_id;
  std::int64_t time_ms = 0;
  // Set for a correction: the stanza-id of the message it corrects. Clients refer to a
  // corrected message by either id; both lead to the original.
  std::string original;
  friend bool operator==(const RecentMessage&, const RecentMessage&) = default;
};

class RecentMessages {
 public:
  // Adds the newest entry and drops the oldest beyond `bound` (0: keep none).
  void add(RecentMessage m, std::size_t bound);
  // The original message `id` names: a stanza-id of a message or of a correction of it.
  const RecentMessage* by_stanza_id(const std::string& id) const;
  // The original message a client id names, among the messages and corrections of
  // `bare_jid` (client ids are chosen by clients: another author's cannot be trusted); with
  // an empty bare_jid, among everyone's.
  const RecentMessage* by_client_id(const std::string& id, const std::string& bare_jid) const;
  // Forgets the message with this stanza-id and its corrections (it was retracted).
  void forget(const std::string& stanza_id);

  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  // The oldest entry's time: ids of messages older than this may exist in the archive only.
  std::optional<std::int64_t> oldest_ms() const;
  auto begin() const { return entries_.begin(); }
  auto end() const { return entries_.end(); }

  friend bool operator==(const RecentMessages& a, const RecentMessages& b) { return a.entries_ == b.entries_; }

 private:
  const RecentMessage* original_of(const RecentMessage& e) const;
  std::deque<RecentMessage> entries_;  // oldest first
};

}  // namespace mucstream::core
