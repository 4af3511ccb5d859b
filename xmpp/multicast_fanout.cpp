#include "xmpp/multicast_fanout.hpp"

#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

constexpr std::string_view kAddressesOpen = "<addresses xmlns='http://jabber.org/protocol/address'>";
constexpr std::string_view kAddressesClose = "</addresses>";
constexpr std::string_view kBccOpen = "<address type='bcc' jid='";
constexpr std::string_view kBccClose = "'/>";
constexpr std::string_view kListOpen = "<recipients xmlns='urn:xmpp:mucstream:multicast:0'>";
constexpr std::string_view kListClose = "</recipients>";
constexpr std::size_t kNone = static_cast<std::size_t>(-1);

std::size_t hash_of(std::string_view head, std::string_view tail) {
  const std::size_t h = std::hash<std::string_view>{}(tail);
  return h ^ (std::hash<std::string_view>{}(head) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
}

// Where the stanza's start tag ends in the tail (the index of its '>'), and whether it is
// self-closing ("/>": the stanza has no content). kNone when the tail holds no start-tag end.
struct StartTag {
  std::size_t end = kNone;
  bool empty = false;
};
StartTag start_tag(std::string_view tail) {
  StartTag s;
  // Attribute values are escaped ('>' is &gt;), so the first '>' ends the start tag.
  s.end = tail.find('>');
  s.empty = s.end != kNone && s.end > 0 && tail[s.end - 1] == '/';
  return s;
}

// The JIDs are escaped for an attribute value, which is valid escaped text as well; a JID
// holds no line break (PRECIS disallows control characters), so one per line is unambiguous.
std::size_t address_bytes(const std::string& to, bool list) {
  return list ? to.size() + 1 : kBccOpen.size() + to.size() + kBccClose.size();
}
std::size_t wrapper_bytes(bool list) {
  return list ? kListOpen.size() + kListClose.size() : kAddressesOpen.size() + kAddressesClose.size();
}

}  // namespace

std::string_view stanza_name(std::string_view head) {
  if (head.rfind("<message ", 0) == 0) return "message";
  if (head.rfind("<presence ", 0) == 0) return "presence";
  return {};
}

std::string_view start_tag_attr(std::string_view tail, std::string_view name) {
  const StartTag s = start_tag(tail);
  const std::string_view tag = tail.substr(0, s.end == kNone ? tail.size() : s.end);
  std::string key = " ";
  key.append(name).append("='");
  const std::size_t at = tag.find(key);
  if (at == std::string_view::npos) return {};
  const std::size_t begin = at + key.size();
  const std::size_t end = tag.find('\'', begin);
  return end == std::string_view::npos ? std::string_view{} : tag.substr(begin, end - begin);
}

std::size_t FanoutBatcher::find_group(std::string_view head, std::string_view tail, std::size_t hash) const {
  auto same = [&](const Rendering& g) { return g.may_multicast && g.head == head && g.tail == tail; };
  // Messages put every recipient's copy in a row: the previous group is the usual match.
  if (last_ != kNone && same(groups_[last_])) return last_;
  auto [it, end] = index_.equal_range(hash);
  for (; it != end; ++it)
    if (same(groups_[it->second])) return it->second;
  return kNone;
}

void FanoutBatcher::put(std::string_view head, std::string_view to, std::string_view tail) {
  std::string recipient(to);
  if (recipients_.count(recipient) != 0) finish();  // a second stanza for someone: a new batch
  std::size_t g = kNone;
  std::size_t hash = 0;
  if (may_) {
    hash = hash_of(head, tail);
    g = find_group(head, tail, hash);
  }
  if (g == kNone) {
    g = groups_.size();
    groups_.push_back(Rendering{std::string(head), std::string(tail), {}, may_});
    if (may_) index_.emplace(hash, g);
  }
  groups_[g].to.push_back(recipient);
  recipients_.insert(std::move(recipient));
  last_ = g;
}

void FanoutBatcher::finish() {
  for (Rendering& r : groups_) emit_(r);
  groups_.clear();
  recipients_.clear();
  index_.clear();
  last_ = kNone;
}

bool multicastable(const Rendering& r) {
  if (stanza_name(r.head).empty() || start_tag(r.tail).end == kNone) return false;
  return r.tail.find(ns::kAddress) == std::string::npos && r.tail.find(ns::kRecipientList) == std::string::npos;
}

std::vector<std::size_t> chunk_sizes(const Rendering& r, const MulticastTarget& t) {
  const StartTag s = start_tag(r.tail);
  // The stanza without any address: the service in `to`, an empty <addresses/>, and for a
  // self-closing stanza its end tag.
  std::size_t base = r.head.size() + t.service.size() + r.tail.size() + wrapper_bytes(t.recipient_list);
  if (s.empty) base += 2 + stanza_name(r.head).size();  // "/>" becomes "></name>": 3 + name - 1
  std::vector<std::size_t> sizes;
  std::size_t n = 0, bytes = base;
  const std::size_t cap = t.max_recipients < 1 ? 1 : t.max_recipients;
  for (const std::string& to : r.to) {
    const std::size_t add = address_bytes(to, t.recipient_list);
    if (n > 0 && (n == cap || bytes + add > t.max_bytes)) {
      sizes.push_back(n);
      n = 0;
      bytes = base;
    }
    if (n == 0 && bytes + add > t.max_bytes) {  // not even alone: sent directly
      sizes.push_back(1);
      continue;
    }
    ++n;
    bytes += add;
  }
  if (n > 0) sizes.push_back(n);
  return sizes;
}

std::string multicast_stanza(const Rendering& r, std::size_t first, std::size_t n, const MulticastTarget& t) {
  const StartTag s = start_tag(r.tail);
  const bool list = t.recipient_list;
  std::size_t size = r.head.size() + t.service.size() + r.tail.size() + wrapper_bytes(list) + 16;
  for (std::size_t i = first; i < first + n; ++i) size += address_bytes(r.to[i], list);
  std::string out;
  out.reserve(size);
  out += r.head;
  out += t.service;
  out.append(r.tail, 0, s.empty ? s.end - 1 : s.end);
  out += '>';
  if (list) {
    out += kListOpen;
    for (std::size_t i = first; i < first + n; ++i) {
      if (i > first) out += '\n';
      out += r.to[i];
    }
    out += kListClose;
  } else {
    out += kAddressesOpen;
    for (std::size_t i = first; i < first + n; ++i) out.append(kBccOpen).append(r.to[i]).append(kBccClose);
    out += kAddressesClose;
  }
  if (s.empty) {
    out += "</";
    out += stanza_name(r.head);
    out += '>';
  } else {
    out.append(r.tail, s.end + 1, std::string::npos);
  }
  return out;
}

}  // namespace mucstream::xmpp
