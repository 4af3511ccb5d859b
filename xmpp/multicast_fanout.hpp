#pragma once
// Multicast fan-out (XEP-0033): instead of one stanza per recipient, one stanza to the XMPP
// server's multicast service for each group of recipients whose rendered stanza is the same
// byte for byte apart from `to`, listing them as bcc addresses; the server copies it to each.
// Only identical bytes are grouped, so whatever differs per recipient (status 110 in a
// self-presence, the real JID a moderator sees, the sender's reflection when it differs)
// comes out right by construction: a rendering of its own is a group of its own.
//
// Order: a decision's stanzas are cut into batches in which no recipient appears twice. Inside
// a batch each recipient gets one stanza, so the groups may go out in any order; batches go
// out in the order rendered, so no recipient sees its stanzas reordered.
//
//   FanoutBatcher batch([&](Rendering& r) { send(r); });     // called per group, in order
//   batch.may_multicast(true);  renderer.render(delivery, cache, ctx, batch);
//   batch.finish();
//   for (std::size_t n : chunk_sizes(r, target)) ...  multicast_stanza(r, first, n, target)
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "xmpp/renderer.hpp"

namespace mucstream::xmpp {

// One distinct rendering and the recipients that get exactly these bytes.
struct Rendering {
  std::string head;             // the stanza up to the value of `to`: "<message to='"
  std::string tail;             // the rest, from the quote that closes `to`
  std::vector<std::string> to;  // recipient JIDs, escaped, in the order rendered
  bool may_multicast = true;    // false: always one stanza per recipient (private messages)
};

// Collects rendered stanzas and hands each batch's groups on in order (see above).
class FanoutBatcher final : public Output {
 public:
  using Emit = std::function<void(Rendering&)>;
  explicit FanoutBatcher(Emit emit) : emit_(std::move(emit)) {}
  // Applies to the stanzas put from now on.
  void may_multicast(bool yes) { may_ = yes; }
  void put(std::string_view head, std::string_view to, std::string_view tail) override;
  // Hands on what is still collected (the end of a decision's deliveries).
  void finish();

 private:
  std::size_t find_group(std::string_view head, std::string_view tail, std::size_t hash) const;

  Emit emit_;
  bool may_ = true;
  std::vector<Rendering> groups_;                            // the current batch, in first-seen order
  std::unordered_set<std::string> recipients_;               // who already has a stanza in it
  std::unordered_multimap<std::size_t, std::size_t> index_;  // hash of the bytes -> group
  std::size_t last_ = static_cast<std::size_t>(-1);          // the group the previous put joined
};

// Where multicast stanzas go, how big they may be and how they list their recipients.
struct MulticastTarget {
  std::string service;              // the service's JID, escaped ("" : no multicast)
  std::size_t max_recipients = 100;  // bcc addresses per stanza (xmpp.multicast_max_recipients)
  std::size_t max_bytes = 491'520;   // the whole stanza on the wire (xmpp.max_stanza_bytes_out)
  // true: the recipients as one text list (<recipients xmlns='urn:xmpp:mucstream:multicast:0'>,
  // one JID per line) for a service that lists that feature; false: XEP-0033 bcc addresses.
  // Same meaning; the list costs the server one parsed element instead of one per recipient,
  // which is most of what a server spends on a big room's multicast beyond the delivery itself.
  bool recipient_list = false;
};

// Whether a rendering may go through the service at all: a message or presence whose bytes
// carry no XEP-0033 <addresses/> or recipient list of their own (history's ofrom for
// moderators, or one in a client's payload). A service reads and strips the first; a second
// must never reach it.
bool multicastable(const Rendering& r);

// How many of r's recipients each stanza carries, in order, within the recipient cap and the
// byte limit. A chunk of 1 is sent to its recipient directly (as is a recipient whose address
// alone would not fit).
std::vector<std::size_t> chunk_sizes(const Rendering& r, const MulticastTarget& t);

// The multicast stanza for recipients [first, first + n) of r: `to` is the service, the
// recipients (in t's form) open the content, the rest is r's bytes unchanged.
std::string multicast_stanza(const Rendering& r, std::size_t first, std::size_t n, const MulticastTarget& t);

// The escaped value of attribute `name` in the start tag that r.tail ends ("" when absent):
// the stanza's from and id, to recognise the service's error for it.
std::string_view start_tag_attr(std::string_view tail, std::string_view name);
// "message" or "presence" (from the head), "" for anything else.
std::string_view stanza_name(std::string_view head);

}  // namespace mucstream::xmpp
