#pragma once
// The MUC domains one component process serves: xmpp.domain is one domain or several
// separated by commas ("rooms.acme.example, rooms.globex.example"). Each domain gets its own
// XEP-0114 connection and room loop; the first is the default wherever a name needs one (a
// room's local part given alone).
#include <string>
#include <vector>

#include "tools/common/setting_checks.hpp"
#include "tools/common/settings.hpp"

namespace mucstream::tools {

// The list as written: each entry trimmed of spaces, empty entries kept (the rule refuses them).
std::vector<std::string> split_domains(const std::string& value);

// xmpp.domain's domains, in order (at least one; the setting rule has refused anything else).
std::vector<std::string> xmpp_domains(const Settings& s);

// The setting rule: one XMPP domain or several separated by commas, none twice.
SettingRule xmpp_domain_list(std::string key);

// The domain part of a bare or full JID ("standup@rooms.acme.example/Nick" -> "rooms.acme.example").
std::string domain_of(const std::string& jid);

}  // namespace mucstream::tools
