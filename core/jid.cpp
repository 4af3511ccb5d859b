#include "core/jid.hpp"

#include <stringprep.h>

#include <cctype>
#include <cstring>
#include <vector>

namespace mucstream::core {
namespace {

constexpr std::size_t kMaxPart = 1023;  // RFC 6122 §2.1: each part at most 1023 bytes

enum class Profile { node, name, resource };

// ASCII fast path: stringprep costs microseconds per call and most addresses are plain
// ASCII; for them each profile reduces to case folding (node/name) or identity (resource)
// plus a check for the code points the profile forbids.
bool ascii_fast_path(std::string_view in, Profile p, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (unsigned char c : in) {
    if (c >= 0x80) return false;  // needs the full profile
    if (c < 0x20 || c == 0x7f) return false;  // let stringprep reject it with its reason
    if (p == Profile::node && std::strchr("\"&'/:<>@ ", c) != nullptr) return false;
    if (p != Profile::resource && c >= 'A' && c <= 'Z') c = static_cast<unsigned char>(c - 'A' + 'a');
    out.push_back(static_cast<char>(c));
  }
  return true;
}

std::variant<std::string, JidError> prep(std::string_view in, Profile p, JidError invalid) {
  std::string out;
  if (ascii_fast_path(in, p, out)) {
    if (out.size() > kMaxPart) return JidError::too_long;
    return out;
  }
  if (in.size() > 4 * kMaxPart) return JidError::too_long;
  // stringprep works in place on a NUL-terminated buffer that must hold the result,
  // which can grow under case folding.
  std::vector<char> buf(in.size() * 4 + 16, '\0');
  std::memcpy(buf.data(), in.data(), in.size());
  const Stringprep_profile* profile = p == Profile::node   ? stringprep_xmpp_nodeprep
                                      : p == Profile::name ? stringprep_nameprep
                                                           : stringprep_xmpp_resourceprep;
  if (std::memchr(in.data(), '\0', in.size()) != nullptr) return invalid;
  int rc = stringprep(buf.data(), buf.size(), Stringprep_profile_flags(0), profile);
  if (rc != STRINGPREP_OK) return invalid;
  std::string result(buf.data());
  if (result.size() > kMaxPart) return JidError::too_long;
  return result;
}

bool valid_host(std::string_view d) {
  if (d.front() == '[') return d.back() == ']' && d.size() > 2;  // IPv6 literal
  if (d.back() == '.') d.remove_suffix(1);                        // trailing dot is allowed
  std::size_t label = 0;
  for (unsigned char c : d) {
    if (c == '.') {
      if (label == 0 || label > 63) return false;
      label = 0;
      continue;
    }
    ++label;
    // Non-ASCII labels passed nameprep; ASCII must follow the STD3 host name rules.
    if (c < 0x80 && !(std::isalnum(c) || c == '-' || c == '_')) return false;
  }
  return label > 0 && label <= 63;
}

}  // namespace

const char* describe(JidError e) {
  switch (e) {
    case JidError::empty: return "the address is empty";
    case JidError::too_long: return "a part of the address is longer than 1023 bytes";
    case JidError::empty_node: return "the local part is empty";
    case JidError::invalid_node: return "the local part contains forbidden characters";
    case JidError::empty_domain: return "the domain is empty";
    case JidError::invalid_domain: return "the domain is not a valid host name";
    case JidError::empty_resource: return "the resource is empty";
    case JidError::invalid_resource: return "the resource or nickname contains forbidden characters";
  }
  return "invalid address";
}

std::variant<std::string, JidError> nodeprep(std::string_view s) {
  if (s.empty()) return JidError::empty_node;
  return prep(s, Profile::node, JidError::invalid_node);
}

std::variant<std::string, JidError> nameprep(std::string_view s) {
  if (s.empty()) return JidError::empty_domain;
  auto r = prep(s, Profile::name, JidError::invalid_domain);
  if (auto* d = std::get_if<std::string>(&r); d && (d->empty() || !valid_host(*d)))
    return JidError::invalid_domain;
  return r;
}

std::variant<std::string, JidError> resourceprep(std::string_view s) {
  if (s.empty()) return JidError::empty_resource;
  return prep(s, Profile::resource, JidError::invalid_resource);
}

std::variant<std::string, JidError> prepare_nick(std::string_view nick) {
  auto r = resourceprep(nick);
  if (auto* s = std::get_if<std::string>(&r)) {
    if (s->find_first_not_of(" \t") == std::string::npos) return JidError::invalid_resource;
  }
  return r;
}

std::variant<Jid, JidError> Jid::parse(std::string_view text) {
  if (text.empty()) return JidError::empty;
  // RFC 6122 §2.1: the resource is everything after the first '/', the node everything
  // before the first '@' that precedes that '/'.
  std::string_view resource, rest = text;
  bool has_resource = false;
  if (auto slash = text.find('/'); slash != std::string_view::npos) {
    resource = text.substr(slash + 1);
    rest = text.substr(0, slash);
    has_resource = true;
  }
  std::string_view node, domain = rest;
  bool has_node = false;
  if (auto at = rest.find('@'); at != std::string_view::npos) {
    node = rest.substr(0, at);
    domain = rest.substr(at + 1);
    has_node = true;
  }
  Jid j;
  if (has_node) {
    auto n = nodeprep(node);
    if (auto* e = std::get_if<JidError>(&n)) return *e;
    j.node_ = std::get<std::string>(std::move(n));
  }
  auto d = nameprep(domain);
  if (auto* e = std::get_if<JidError>(&d)) return *e;
  j.domain_ = std::get<std::string>(std::move(d));
  if (!j.domain_.empty() && j.domain_.back() == '.') j.domain_.pop_back();
  if (has_resource) {
    auto r = resourceprep(resource);
    if (auto* e = std::get_if<JidError>(&r)) return *e;
    j.resource_ = std::get<std::string>(std::move(r));
  }
  return j;
}

Jid Jid::from_parts(std::string node, std::string domain, std::string resource) {
  Jid j;
  j.node_ = std::move(node);
  j.domain_ = std::move(domain);
  j.resource_ = std::move(resource);
  return j;
}

std::string Jid::bare() const {
  if (node_.empty()) return domain_;
  std::string s;
  s.reserve(node_.size() + 1 + domain_.size());
  s.append(node_).push_back('@');
  s.append(domain_);
  return s;
}

std::string Jid::full() const {
  std::string s = bare();
  if (!resource_.empty()) s.append("/").append(resource_);
  return s;
}

}  // namespace mucstream::core
