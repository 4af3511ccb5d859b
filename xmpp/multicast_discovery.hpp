#pragma once
// Which XEP-0033 multicast service the component fans out through, found again after every
// connect (XEP-0030) without holding the room loop: the queries go out with the other output
// and the answers are consumed as they come; until then, and when none is found, every
// stanza goes to its recipient directly.
//
// xmpp.multicast = auto: disco#info to the host domain (the component's domain minus its
// first label: rooms.example.org -> example.org); if it lists the feature
// http://jabber.org/protocol/address the host is the service (Prosody with
// mod_mucstream_multicast). Otherwise disco#items of the host and disco#info of each item:
// the first item, in the host's order, that lists the feature (ejabberd's mod_multicast at
// multicast.<host>). `off`: none. Any other value: that JID, without asking.
//
//   MulticastDiscovery d("auto", "rooms.example.org", "mucstream-mc-42-", 5000);
//   for (auto& q : d.start(now)) send(q);
//   on an IQ result/error: if (d.answer(iq, now, more)) { send(more); return; }   // consumed
//   each turn: d.tick(now);  if (d.finished()) use(d.service(), d.advertised_limit());
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

// The host domain of a component domain: without its first label ("" when it has one label).
std::string host_domain(const std::string& component_domain);
// Whether a disco#info <query/> lists `feature`.
bool lists_feature(const gloox::Tag& query, const std::string& feature);
// The smaller of the message and presence recipient limits a service advertises in its
// disco#info (XEP-0128 form with FORM_TYPE http://jabber.org/protocol/address, as ejabberd
// does when its limits are configured); 0 when it advertises none.
std::size_t advertised_limit(const gloox::Tag& query);
// The JIDs of a disco#items <query/> that may be services: no node, no user part, no
// resource, not `own` (the component itself).
std::vector<std::string> service_items(const gloox::Tag& query, const std::string& own);

class MulticastDiscovery {
 public:
  MulticastDiscovery(std::string setting, std::string domain, std::string id_prefix, std::int64_t timeout_ms);

  // A new connection: forgets the last result; returns the queries to send now.
  std::vector<std::string> start(std::int64_t now_ms);
  // An IQ result or error: true when it answers one of our queries (consumed, never handled
  // as a stanza); the next queries, if any, are appended to `out`.
  bool answer(const gloox::Tag& iq, std::int64_t now_ms, std::vector<std::string>& out);
  // Queries unanswered within the timeout count as "no service here".
  void tick(std::int64_t now_ms);

  enum class Result { pending, found, none, off, configured };
  Result result() const { return result_; }
  bool finished() const { return result_ != Result::pending; }
  const std::string& service() const { return service_; }     // found or configured
  std::size_t advertised_limit() const { return limit_; }     // 0: none advertised
  // The service also takes the recipients as one text list (mucstream's Prosody module).
  bool recipient_list() const { return list_; }
  const std::string& host() const { return host_; }
  // One line for the log: which service is used, or that none is.
  std::string describe() const;

 private:
  enum class Phase { idle, host_info, items, item_infos };
  std::string query(const std::string& to, const std::string& id, const char* xmlns) const;
  void ask_items(std::int64_t now_ms, std::vector<std::string>& out);
  void decide_items();

  std::string setting_, domain_, prefix_, host_;
  std::int64_t timeout_ms_;
  std::uint64_t round_ = 0;  // ids of an earlier connection's queries are not ours any more
  Phase phase_ = Phase::idle;
  std::int64_t deadline_ = 0;
  Result result_ = Result::pending;
  std::string service_;
  std::size_t limit_ = 0;
  bool list_ = false;
  struct Item {
    std::string jid;
    int answer = -1;  // -1 waiting, 0 no, 1 yes
    std::size_t limit = 0;
    bool list = false;
  };
  std::vector<Item> items_;
};

}  // namespace mucstream::xmpp
