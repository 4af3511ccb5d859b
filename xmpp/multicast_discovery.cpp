#include "xmpp/multicast_discovery.hpp"

#include <gloox/tag.h>

#include <algorithm>
#include <limits>

#include "xmpp/xml.hpp"

namespace mucstream::xmpp {

std::string host_domain(const std::string& component_domain) {
  const auto dot = component_domain.find('.');
  return dot == std::string::npos ? std::string{} : component_domain.substr(dot + 1);
}

bool lists_feature(const gloox::Tag& query, const std::string& feature) {
  for (const gloox::Tag* c : query.children())
    if (c->name() == "feature" && c->findAttribute("var") == feature) return true;
  return false;
}

std::size_t advertised_limit(const gloox::Tag& query) {
  std::size_t limit = 0;
  for (const gloox::Tag* x : query.children()) {
    if (x->name() != "x" || x->xmlns() != ns::kData) continue;
    bool ours = false;
    std::size_t smallest = std::numeric_limits<std::size_t>::max();
    for (const gloox::Tag* f : x->children()) {
      if (f->name() != "field") continue;
      const gloox::Tag* v = f->findChild("value");
      const std::string value = v != nullptr ? v->cdata() : std::string{};
      const std::string& var = f->findAttribute("var");
      if (var == "FORM_TYPE") ours = value == ns::kAddress;
      if ((var == "message" || var == "presence") && !value.empty() &&
          value.find_first_not_of("0123456789") == std::string::npos && value.size() < 10)
        smallest = std::min<std::size_t>(smallest, std::stoul(value));
    }
    if (ours && smallest != std::numeric_limits<std::size_t>::max()) limit = smallest;
  }
  return limit;
}

std::vector<std::string> service_items(const gloox::Tag& query, const std::string& own) {
  std::vector<std::string> out;
  for (const gloox::Tag* c : query.children()) {
    if (c->name() != "item" || c->hasAttribute("node")) continue;
    const std::string& jid = c->findAttribute("jid");
    if (jid.empty() || jid == own || jid.find_first_of("@/") != std::string::npos) continue;
    if (std::find(out.begin(), out.end(), jid) == out.end()) out.push_back(jid);
  }
  return out;
}

MulticastDiscovery::MulticastDiscovery(std::string setting, std::string domain, std::string id_prefix,
                                       std::int64_t timeout_ms)
    : setting_(std::move(setting)),
      domain_(std::move(domain)),
      prefix_(std::move(id_prefix)),
      host_(host_domain(domain_)),
      timeout_ms_(timeout_ms) {}

std::string MulticastDiscovery::query(const std::string& to, const std::string& id, const char* xmlns) const {
  std::string s = "<iq type='get'";
  append_attr(s, "from", domain_);
  append_attr(s, "to", to);
  append_attr(s, "id", prefix_ + std::to_string(round_) + "-" + id);
  s += "><query";
  append_attr(s, "xmlns", xmlns);
  s += "/></iq>";
  return s;
}

std::vector<std::string> MulticastDiscovery::start(std::int64_t now_ms) {
  ++round_;
  items_.clear();
  service_.clear();
  limit_ = 0;
  list_ = false;
  phase_ = Phase::idle;
  std::vector<std::string> out;
  if (setting_ == "off") {
    result_ = Result::off;
  } else if (setting_ != "auto") {
    result_ = Result::configured;
    service_ = setting_;
  } else if (host_.empty()) {
    result_ = Result::none;
  } else {
    result_ = Result::pending;
    phase_ = Phase::host_info;
    deadline_ = now_ms + timeout_ms_;
    out.push_back(query(host_, "h", ns::kDiscoInfo));
  }
  return out;
}

void MulticastDiscovery::ask_items(std::int64_t now_ms, std::vector<std::string>& out) {
  phase_ = Phase::items;
  deadline_ = now_ms + timeout_ms_;
  out.push_back(query(host_, "l", ns::kDiscoItems));
}

// The first item in the host's order that lists the feature, once every item before it said no.
void MulticastDiscovery::decide_items() {
  for (const Item& i : items_) {
    if (i.answer < 0) return;
    if (i.answer == 1) {
      result_ = Result::found;
      service_ = i.jid;
      limit_ = i.limit;
      list_ = i.list;
      phase_ = Phase::idle;
      return;
    }
  }
  result_ = Result::none;
  phase_ = Phase::idle;
}

bool MulticastDiscovery::answer(const gloox::Tag& iq, std::int64_t now_ms, std::vector<std::string>& out) {
  const std::string& id = iq.findAttribute("id");
  if (id.compare(0, prefix_.size(), prefix_) != 0) return false;
  const std::string current = prefix_ + std::to_string(round_) + "-";
  if (id.compare(0, current.size(), current) != 0 || phase_ == Phase::idle) return true;  // an earlier round's
  const std::string step = id.substr(current.size());
  const bool ok = iq.findAttribute("type") == "result";
  const std::string& from = iq.findAttribute("from");
  const gloox::Tag* q = iq.findChild("query");
  if (phase_ == Phase::host_info && step == "h" && from == host_) {
    if (ok && q != nullptr && lists_feature(*q, ns::kAddress)) {
      result_ = Result::found;
      service_ = host_;
      limit_ = xmpp::advertised_limit(*q);
      list_ = lists_feature(*q, ns::kRecipientList);
      phase_ = Phase::idle;
    } else {
      ask_items(now_ms, out);
    }
  } else if (phase_ == Phase::items && step == "l" && from == host_) {
    for (const std::string& jid : ok && q != nullptr ? service_items(*q, domain_) : std::vector<std::string>{})
      items_.push_back(Item{jid});
    if (items_.empty()) {
      result_ = Result::none;
      phase_ = Phase::idle;
      return true;
    }
    phase_ = Phase::item_infos;
    deadline_ = now_ms + timeout_ms_;
    for (std::size_t i = 0; i < items_.size(); ++i)
      out.push_back(query(items_[i].jid, "i" + std::to_string(i), ns::kDiscoInfo));
  } else if (phase_ == Phase::item_infos && step.size() > 1 && step[0] == 'i' &&
             step.find_first_not_of("0123456789", 1) == std::string::npos && step.size() < 8) {
    const std::size_t i = std::stoul(step.substr(1));
    if (i < items_.size() && items_[i].jid == from && items_[i].answer < 0) {
      const bool yes = ok && q != nullptr && lists_feature(*q, ns::kAddress);
      items_[i].answer = yes ? 1 : 0;
      if (yes) {
        items_[i].limit = xmpp::advertised_limit(*q);
        items_[i].list = lists_feature(*q, ns::kRecipientList);
      }
      decide_items();
    }
  }
  return true;
}

void MulticastDiscovery::tick(std::int64_t now_ms) {
  if (phase_ == Phase::idle || now_ms < deadline_) return;
  if (phase_ == Phase::item_infos) {  // the silent ones are not the service
    for (Item& i : items_)
      if (i.answer < 0) i.answer = 0;
    decide_items();
    return;
  }
  result_ = Result::none;  // the host does not answer disco: nothing to find
  phase_ = Phase::idle;
}

std::string MulticastDiscovery::describe() const {
  std::string limit = limit_ > 0 ? ", advertising up to " + std::to_string(limit_) + " recipients" : "";
  if (list_) limit += ", recipient lists";
  switch (result_) {
    case Result::off: return "multicast off (xmpp.multicast): one stanza per recipient";
    case Result::configured: return "multicast through " + service_ + " (xmpp.multicast)";
    case Result::found:
      return "multicast through " + service_ +
             (service_ == host_ ? " (the host lists XEP-0033" : " (an item of " + host_ + " that lists XEP-0033") + limit +
             ")";
    case Result::none:
      return "no XEP-0033 multicast service found on " + (host_.empty() ? domain_ : host_) +
             ": one stanza per recipient";
    case Result::pending: break;
  }
  return "multicast: looking for a service on " + host_;
}

}  // namespace mucstream::xmpp
