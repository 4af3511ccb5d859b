#include "xmpp/multicast_fallback.hpp"

#include <algorithm>

namespace mucstream::xmpp {

std::size_t MulticastLedger::weight(const Sent& s) {
  // The rendering is shared by the chunks of one group; each chunk is charged for it, which
  // only errs towards keeping less.
  std::size_t n = s.kind.size() + s.from.size() + s.id.size() + 64;
  if (s.rendering) {
    n += s.rendering->head.size() + s.rendering->tail.size();
    for (std::size_t i = s.first; i < s.first + s.count && i < s.rendering->to.size(); ++i)
      n += s.rendering->to[i].size() + 32;
  }
  return n;
}

void MulticastLedger::record(Sent s, std::int64_t now_ms) {
  s.at_ms = now_ms;
  bytes_ += weight(s);
  sent_.push_back(std::move(s));
  prune(now_ms);
}

std::optional<MulticastLedger::Sent> MulticastLedger::take(std::string_view kind, std::string_view from,
                                                           std::string_view id) {
  auto it = std::find_if(sent_.begin(), sent_.end(),
                         [&](const Sent& s) { return s.kind == kind && s.from == from && s.id == id; });
  if (it == sent_.end()) return std::nullopt;
  Sent s = std::move(*it);
  sent_.erase(it);
  bytes_ -= weight(s);
  return s;
}

void MulticastLedger::prune(std::int64_t now_ms) {
  while (!sent_.empty() && (now_ms - sent_.front().at_ms > max_age_ms_ || bytes_ > max_bytes_)) {
    bytes_ -= weight(sent_.front());
    sent_.pop_front();
  }
}

void MulticastLedger::clear() {
  sent_.clear();
  bytes_ = 0;
}

Fallback decide_fallback(std::string_view condition, std::size_t refused_recipients, std::size_t cap) {
  Fallback f;
  const bool too_many = condition == "not-acceptable" || condition == "policy-violation";
  const std::size_t half = refused_recipients / 2;
  if (too_many && half >= 2) {
    f.stop = false;
    f.cap = std::min(cap, half);
  }
  return f;
}

}  // namespace mucstream::xmpp
