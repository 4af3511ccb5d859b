#include "core/recent_messages.hpp"

#include <algorithm>

namespace mucstream::core {

void RecentMessages::add(RecentMessage m, std::size_t bound) {
  entries_.push_back(std::move(m));
  while (entries_.size() > bound) entries_.pop_front();
  if (entries_.empty()) std::deque<RecentMessage>().swap(entries_);
}

// A correction whose original is gone (trimmed or retracted) names nothing.
const RecentMessage* RecentMessages::original_of(const RecentMessage& e) const {
  if (e.original.empty()) return &e;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (it->stanza_id == e.original && it->original.empty()) return &*it;
  return nullptr;
}

// Newest first: corrections are usually of what was just said.
const RecentMessage* RecentMessages::by_stanza_id(const std::string& id) const {
  if (id.empty()) return nullptr;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (it->stanza_id == id) return original_of(*it);
  return nullptr;
}

const RecentMessage* RecentMessages::by_client_id(const std::string& id, const std::string& bare_jid) const {
  if (id.empty()) return nullptr;
  for (auto it = entries_.rbegin(); it != entries_.rend(); ++it)
    if (it->client_id == id && (bare_jid.empty() || it->bare_jid == bare_jid)) return original_of(*it);
  return nullptr;
}

void RecentMessages::forget(const std::string& stanza_id) {
  std::erase_if(entries_, [&](const RecentMessage& e) { return e.stanza_id == stanza_id || e.original == stanza_id; });
}

std::optional<std::int64_t> RecentMessages::oldest_ms() const {
  if (entries_.empty()) return std::nullopt;
  return entries_.front().time_ms;
}

}  // namespace mucstream::core
