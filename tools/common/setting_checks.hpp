#pragma once
// Start-up checks of a program's settings: every value against what it may be (a whole
// number in a range, true or false, one of a set, a port, a host, an XMPP domain, …), so a
// typo stops the program with a message naming the setting, the value, where it came from
// and what is allowed, before anything connects.
//
// A setting without a rule of its own gets one from its default, so settings added to a
// program's list without a rule are still checked: "true"/"false" -> true or false, a whole
// number -> a whole number 0 or more, anything else -> text without control characters.
#include <functional>
#include <string>
#include <vector>

#include "tools/common/settings.hpp"

namespace mucstream::tools {

struct SettingRule {
  // How the value is written in a TOML file: a value of another TOML type is refused.
  enum class Toml { string, integer, number, boolean };

  std::string key;
  std::string allowed;  // what the value must be, completing "must be …": "a whole number from 1 to 65535"
  std::function<bool(const std::string&)> accepts;
  Toml toml = Toml::string;
  bool hide_value = false;  // never echo the value (it may hold a password)
};

// Rules by kind. Whole numbers are bounded by what Settings::get_int can return.
SettingRule whole_number(std::string key, long long min, long long max = 2147483647);
SettingRule decimal_number(std::string key, double min, double max);
SettingRule true_or_false(std::string key);
SettingRule one_of(std::string key, std::vector<std::string> allowed);
SettingRule port_number(std::string key);                        // 1..65535
SettingRule host(std::string key);                               // a host name or an IP address
SettingRule listen_address(std::string key, bool may_be_empty);  // HOST:PORT, port 0..65535 (0: any free one)
SettingRule host_port_list(std::string key, bool may_be_empty);  // HOST:PORT[,HOST:PORT…]
SettingRule xmpp_domain(std::string key);                        // a JID's domain, through core's stringprep
SettingRule plain_text(std::string key, bool may_be_empty);      // no control characters
SettingRule readable_file(std::string key);                      // empty, or a file this process can read
SettingRule web_origins(std::string key);                        // empty, '*', or SCHEME://HOST[:PORT],…
SettingRule custom(std::string key, std::string allowed, std::function<bool(const std::string&)> accepts);

// The rule a setting is checked by: its own from `rules`, else one inferred from its default.
SettingRule rule_for(const SettingSpec& spec, const std::vector<SettingRule>& rules);

// Checks every setting of `s`; throws SettingsError on the first value refused. A secret's
// value is never shown.
void check_settings(const Settings& s, const std::vector<SettingRule>& rules);

// The message for a refused value: "--xmpp-port (xmpp.port) must be a whole number from 1 to
// 65535, got '99999' (from MUCSTREAM_XMPP_PORT)". Also for checks that relate settings.
std::string refusal(const Settings& s, const std::string& key, const std::string& allowed, bool hide_value = false);

// The specs with each one's allowed values added to its help text (shown by --help).
std::vector<SettingSpec> with_allowed_values(std::vector<SettingSpec> specs, const std::vector<SettingRule>& rules);

}  // namespace mucstream::tools
