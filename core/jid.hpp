#pragma once
// XMPP addresses (RFC 6122): parsing, formatting and stringprep normalisation, so that
// `Alice@Rooms.Example/Nick` and `alice@rooms.example/Nick` name the same room occupant.
#include <string>
#include <string_view>
#include <variant>

namespace mucstream::core {

enum class JidError {
  empty,             // the whole address is empty
  too_long,          // a part exceeds 1023 bytes after preparation
  empty_node,        // "@domain"
  invalid_node,      // nodeprep rejected it (forbidden code point, bad UTF-8, ...)
  empty_domain,
  invalid_domain,    // nameprep rejected it or it is not a host name / IP literal
  empty_resource,    // "domain/"
  invalid_resource,  // resourceprep rejected it (control characters, ...)
};
const char* describe(JidError);

class Jid {
 public:
  Jid() = default;
  // Parses and normalises; every part is stringprep'd.
  static std::variant<Jid, JidError> parse(std::string_view text);
  // Builds from parts that are already normalised (e.g. taken from another Jid).
  static Jid from_parts(std::string node, std::string domain, std::string resource = {});

  const std::string& node() const { return node_; }
  const std::string& domain() const { return domain_; }
  const std::string& resource() const { return resource_; }
  bool is_bare() const { return resource_.empty(); }

  std::string bare() const;  // node@domain or domain
  std::string full() const;  // bare[/resource]
  Jid bare_jid() const { return from_parts(node_, domain_); }
  Jid with_resource(std::string resource) const { return from_parts(node_, domain_, std::move(resource)); }

  friend bool operator==(const Jid&, const Jid&) = default;

 private:
  std::string node_, domain_, resource_;
};

// Normalises a MUC nickname (resourceprep, as XEP-0045 §7.2 asks) and rejects empty,
// over-long, whitespace-only and control-character nicks.
std::variant<std::string, JidError> prepare_nick(std::string_view nick);

// Normalises a single part; exposed for tests and for callers that split JIDs themselves.
std::variant<std::string, JidError> nodeprep(std::string_view);
std::variant<std::string, JidError> nameprep(std::string_view);
std::variant<std::string, JidError> resourceprep(std::string_view);

}  // namespace mucstream::core
