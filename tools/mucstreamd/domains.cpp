#include "tools/mucstreamd/domains.hpp"

#include <algorithm>

namespace mucstream::tools {

std::vector<std::string> split_domains(const std::string& value) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = value.find(',', start);
    std::string part = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const auto first = part.find_first_not_of(' ');
    const auto last = part.find_last_not_of(' ');
    out.push_back(first == std::string::npos ? std::string() : part.substr(first, last - first + 1));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::vector<std::string> xmpp_domains(const Settings& s) {
  std::vector<std::string> out = split_domains(s.get("xmpp.domain"));
  if (out.size() == 1 && out[0].empty()) throw SettingsError("--domain (xmpp.domain) is required");
  return out;
}

SettingRule xmpp_domain_list(std::string key) {
  const SettingRule one = xmpp_domain(key);
  return custom(std::move(key),
                "an XMPP domain such as rooms.example.org, or several separated by commas (the first is the "
                "default), each a host name without '@' or '/', none twice",
                [one](const std::string& v) {
                  const std::vector<std::string> all = split_domains(v);
                  for (auto it = all.begin(); it != all.end(); ++it)
                    if (!one.accepts(*it) || std::find(all.begin(), it, *it) != it) return false;
                  return true;
                });
}

std::string domain_of(const std::string& jid) {
  const std::size_t slash = jid.find('/');
  const std::string bare = jid.substr(0, slash);
  const std::size_t at = bare.find('@');
  return at == std::string::npos ? bare : bare.substr(at + 1);
}

}  // namespace mucstream::tools
