// A minimal MUC for mucbench's c2s mode: an XEP-0114 component that relays each groupchat
// message to the members of its room in one of the two ways a component can, so the
// benchmark shows what the XMPP server pays for each: one stanza per recipient, or XEP-0033
// multicast (one stanza per 100 recipients, as bcc addresses, to the server's multicast
// service). No joins, presence, history or checks: the benchmark sets the members, and the
// component's own cost is left out of the figures on purpose (only the server's counts).
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace mucbench {

class MinimalMuc {
 public:
  // fd: a component stream past its handshake. multicast_to: the multicast service's JID,
  // empty for one stanza per recipient.
  MinimalMuc(int fd, std::string multicast_to);

  void add_member(const std::string& room, const std::string& jid, const std::string& nick);
  int fd() const { return fd_; }
  // Reads what the server sent and relays every complete groupchat message in it; false once
  // the server closed the stream.
  bool on_readable();

 private:
  void relay(const std::string& stanza);
  void write_out();

  int fd_;
  std::string multicast_to_, in_, out_;
  std::unordered_map<std::string, std::vector<std::string>> members_;  // room bare JID -> real JIDs
  std::unordered_map<std::string, std::string> nicks_;                 // real JID -> nick
};

}  // namespace mucbench
