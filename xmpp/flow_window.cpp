#include "xmpp/flow_window.hpp"

#include <limits>

#include "xmpp/xml.hpp"

namespace mucstream::xmpp {

std::size_t FlowWindow::budget() const {
  if (!active()) return std::numeric_limits<std::size_t>::max();
  const std::uint64_t flying = sent_ - acked_;
  return flying >= window_ ? 0 : static_cast<std::size_t>(window_ - flying);
}

std::optional<std::string> FlowWindow::marker(const std::string& domain, std::int64_t now_ms) {
  if (window_ == 0) return std::nullopt;
  const bool first = !probed_ && sent_ >= window_ / 4;  // a quiet service never needs one
  const bool due = confirmed_ && sent_ - last_mark_at_ >= window_ / 4 && out_.size() < 16;
  if (!first && !due) return std::nullopt;
  probed_ = true;
  last_mark_at_ = sent_;
  const std::uint64_t seq = next_seq_++;
  out_.push_back(Mark{seq, sent_, now_ms});
  std::string s = "<iq type='get'";
  append_attr(s, "id", prefix_ + std::to_string(seq));
  append_attr(s, "from", domain);
  append_attr(s, "to", domain);
  s += "><ping xmlns='urn:xmpp:ping'/></iq>";
  return s;
}

void FlowWindow::credit(std::uint64_t position) {
  if (position > acked_) acked_ = position;
}

bool FlowWindow::returned(const std::string& id, std::int64_t) {
  if (id.compare(0, prefix_.size(), prefix_) != 0) return false;
  std::uint64_t seq = 0;
  try {
    seq = std::stoull(id.substr(prefix_.size()));
  } catch (...) {
    return true;  // ours by its prefix, not a number: consumed all the same
  }
  confirmed_ = true;
  while (!out_.empty() && out_.front().seq <= seq) {
    credit(out_.front().position);
    out_.pop_front();
  }
  return true;
}

void FlowWindow::tick(std::int64_t now_ms) {
  while (!out_.empty() && now_ms - out_.front().at_ms > timeout_ms_) {
    credit(out_.front().position);
    out_.pop_front();
    ++timeouts_;
  }
}

void FlowWindow::reset() {
  confirmed_ = false;
  probed_ = false;
  sent_ = acked_ = last_mark_at_ = 0;
  out_.clear();
}

}  // namespace mucstream::xmpp
