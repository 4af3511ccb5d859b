#include "xmpp/outbound.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace mucstream::xmpp {

void Outbound::append(Lane& l, std::string_view bytes) {
  if (l.chunks.empty() || l.chunks.back().size() + bytes.size() > kChunk) {
    l.chunks.emplace_back();
    if (bytes.size() < kChunk) l.chunks.back().reserve(kChunk);  // filled by later appends without regrowing
  }
  l.chunks.back().append(bytes);
  l.bytes += bytes.size();
}

void Outbound::control(std::string_view bytes) {
  if (bytes.empty()) return;
  append(control_, bytes);
  total_ += bytes.size();
}

void Outbound::room(const std::string& room, std::string_view bytes) {
  if (bytes.empty()) return;
  Lane& l = rooms_[room];
  const std::size_t before = l.bytes;
  if (bytes.size() < kChunk) {  // never marked: no scan
    append(l, bytes);
    bytes = {};
  }
  // Big stanzas become chunks of their own; small ones share one.
  while (!bytes.empty()) {
    const std::size_t end = bytes.find(kStanzaEnd);
    const std::string_view stanza = bytes.substr(0, end);
    if (!stanza.empty()) append(l, stanza);
    if (end == std::string_view::npos) break;
    bytes.remove_prefix(end + 1);
  }
  if (l.bytes == before) {
    if (l.chunks.empty()) rooms_.erase(room);
    return;
  }
  total_ += l.bytes - before;
  if (!l.active) {
    l.active = true;
    active_.push_back(room);
  }
}

std::size_t Outbound::lane_bytes(const std::string& room) const {
  auto it = rooms_.find(room);
  return it == rooms_.end() ? 0 : it->second.bytes;
}

bool Outbound::congested(const std::string& room) const {
  const std::size_t mine = lane_bytes(room);
  return mine > bounds_.lane_bytes || (total_ > bounds_.total_bytes && mine > 0);
}

bool Outbound::pop(bool rooms, std::string& into) {
  auto take = [&into](std::string& chunk) {
    // A big chunk is moved; small ones are copied into `into`, whose capacity is kept.
    if (into.empty() && chunk.size() > kBatch) into = std::move(chunk);
    else into.append(chunk);
  };
  if (!control_.chunks.empty()) {
    control_.bytes -= control_.chunks.front().size();
    take(control_.chunks.front());
    control_.chunks.pop_front();
    return true;
  }
  while (rooms && !active_.empty()) {
    std::string name = std::move(active_.front());
    active_.pop_front();
    auto it = rooms_.find(name);
    if (it == rooms_.end()) continue;
    Lane& l = it->second;
    l.bytes -= l.chunks.front().size();
    take(l.chunks.front());
    l.chunks.pop_front();
    if (l.chunks.empty()) rooms_.erase(it);  // an idle room keeps no lane
    else active_.push_back(std::move(name));
    return true;
  }
  return false;
}

std::string Outbound::take_next() {
  std::string s;
  if (offset_ < current_.size()) {
    s = current_.substr(offset_);
  } else if (!pop(true, s)) {
    return {};
  }
  total_ -= s.size();
  current_.clear();
  offset_ = 0;
  return s;
}

Outbound::Write Outbound::write(int fd, std::size_t& written, std::size_t room_budget) {
  std::size_t started = 0;  // bytes of room chunks started in this call
  for (;;) {
    if (offset_ == current_.size()) {
      // One send per batch of chunks, taken in the lanes' order (few system calls).
      current_.clear();
      offset_ = 0;
      if (current_.capacity() < kBatch + kChunk) current_.reserve(kBatch + kChunk);
      while (current_.size() < kBatch) {
        const bool control = !control_.chunks.empty();
        const std::size_t before = current_.size();
        if (!pop(started < room_budget, current_)) break;
        if (!control) started += current_.size() - before;
      }
      if (current_.empty()) return Write::ok;
    }
    const ssize_t n = ::send(fd, current_.data() + offset_, current_.size() - offset_, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Write::ok;
      return Write::error;
    }
    offset_ += static_cast<std::size_t>(n);
    total_ -= static_cast<std::size_t>(n);
    written += static_cast<std::size_t>(n);
  }
}

void Outbound::clear() {
  control_ = Lane{};
  rooms_.clear();
  active_.clear();
  current_.clear();
  offset_ = 0;
  total_ = 0;
}

}  // namespace mucstream::xmpp
