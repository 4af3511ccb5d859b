#include "tools/mucbench/minimal_muc.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace mucbench {

namespace {

// What mucstream's xmpp.multicast_max_recipients defaults to: bigger rooms are split.
constexpr std::size_t kMaxRecipients = 100;

// The value of attribute `name` in the top tag of `stanza` (servers quote with ' or ").
std::string attribute(const std::string& stanza, const std::string& name) {
  const std::size_t top_end = stanza.find('>');
  for (const char quote : {'\'', '"'}) {
    const std::string key = " " + name + "=" + quote;
    const std::size_t at = stanza.find(key);
    if (at == std::string::npos || at > top_end) continue;
    const std::size_t start = at + key.size();
    return stanza.substr(start, stanza.find(quote, start) - start);
  }
  return {};
}

}  // namespace

MinimalMuc::MinimalMuc(int fd, std::string multicast_to) : fd_(fd), multicast_to_(std::move(multicast_to)) {}

void MinimalMuc::add_member(const std::string& room, const std::string& jid, const std::string& nick) {
  members_[room].push_back(jid);
  nicks_[jid] = nick;
}

bool MinimalMuc::on_readable() {
  char buf[1 << 16];
  const ssize_t n = ::read(fd_, buf, sizeof buf);
  if (n <= 0) return n < 0 && (errno == EAGAIN || errno == EINTR);
  in_.append(buf, static_cast<std::size_t>(n));
  std::size_t done = 0;
  for (;;) {
    const std::size_t start = in_.find("<message", done);
    if (start == std::string::npos) break;
    const std::size_t end = in_.find("</message>", start);
    if (end == std::string::npos) break;
    relay(in_.substr(start, end + 10 - start));
    done = end + 10;
  }
  in_.erase(0, done);
  write_out();
  return true;
}

void MinimalMuc::relay(const std::string& stanza) {
  if (attribute(stanza, "type") != "groupchat") return;  // bounces and anything else: dropped
  const std::string room = attribute(stanza, "to"), sender = attribute(stanza, "from");
  const auto members = members_.find(room);
  const auto nick = nicks_.find(sender);
  if (members == members_.end() || nick == nicks_.end()) return;
  const std::size_t b = stanza.find("<body>"), e = stanza.find("</body>");
  if (b == std::string::npos || e == std::string::npos) return;
  const std::string payload = stanza.substr(b, e + 7 - b);
  const std::string head = "<message from='" + room + "/" + nick->second + "' type='groupchat' id='" +
                           attribute(stanza, "id") + "' to='";
  const std::vector<std::string>& jids = members->second;
  if (multicast_to_.empty()) {
    for (const std::string& jid : jids) out_ += head + jid + "'>" + payload + "</message>";
    return;
  }
  for (std::size_t first = 0; first < jids.size(); first += kMaxRecipients) {
    out_ += head + multicast_to_ + "'><addresses xmlns='http://jabber.org/protocol/address'>";
    for (std::size_t i = first; i < std::min(jids.size(), first + kMaxRecipients); ++i)
      out_ += "<address type='bcc' jid='" + jids[i] + "'/>";
    out_ += "</addresses>" + payload + "</message>";
  }
}

// Blocking: the server always reads its component stream (it buffers towards slow clients).
void MinimalMuc::write_out() {
  std::size_t off = 0;
  while (off < out_.size()) {
    const ssize_t n = ::write(fd_, out_.data() + off, out_.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "mucbench: write to the server failed\n");
      std::exit(1);
    }
    off += static_cast<std::size_t>(n);
  }
  out_.clear();
}

}  // namespace mucbench
