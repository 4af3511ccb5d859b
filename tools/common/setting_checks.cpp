#include "tools/common/setting_checks.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <variant>

#include "core/jid.hpp"

namespace mucstream::tools {
namespace {

bool has_control_characters(const std::string& v) {
  for (unsigned char c : v)
    if (c < 0x20 || c == 0x7f) return true;
  return false;
}

std::optional<long long> parse_whole(const std::string& v) {
  long long n = 0;
  const char* end = v.data() + v.size();
  const auto [at, ec] = std::from_chars(v.data(), end, n);
  if (ec != std::errc() || at != end || v.empty()) return std::nullopt;
  return n;
}

std::string number_text(double d) {
  std::string s = std::to_string(d);
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

bool is_ip_address(const std::string& h, int family) {
  unsigned char buf[16];
  return inet_pton(family, h.c_str(), buf) == 1;
}

// A name resolvers take: an IP address, or a host name by core's stringprep (nameprep and the
// host name rules), the same test an XMPP domain passes.
bool is_host(const std::string& h) {
  if (h.empty()) return false;
  if (is_ip_address(h, AF_INET) || is_ip_address(h, AF_INET6)) return true;
  if (h.find_first_of("[]:") != std::string::npos) return false;
  return std::holds_alternative<std::string>(core::nameprep(h));
}

// HOST:PORT, an IPv6 address in brackets ([::1]:9100); an empty host means the program's
// default host (the HTTP server's 127.0.0.1).
bool is_host_port(const std::string& v, long long min_port) {
  const auto colon = v.rfind(':');
  if (colon == std::string::npos) return false;
  const std::string host = v.substr(0, colon);
  const auto port = parse_whole(v.substr(colon + 1));
  if (!port || *port < min_port || *port > 65535) return false;
  if (host.empty()) return true;
  if (host.front() == '[')
    return host.size() > 2 && host.back() == ']' && is_ip_address(host.substr(1, host.size() - 2), AF_INET6);
  return host.find(':') == std::string::npos && is_host(host);
}

std::string toml_name(SettingRule::Toml t) {
  switch (t) {
    case SettingRule::Toml::string: return "string";
    case SettingRule::Toml::integer: return "integer";
    case SettingRule::Toml::number: return "number";
    case SettingRule::Toml::boolean: return "boolean";
  }
  return "string";
}

bool toml_type_fits(SettingRule::Toml want, const std::string& got) {
  if (want == SettingRule::Toml::number) return got == "integer" || got == "float";
  return got == toml_name(want);
}

std::string origin_text(const Settings& s, const std::string& key) {
  const Settings::Origin o = s.origin(key);
  if (o.where.empty()) return " (the default)";
  if (o.where.rfind("--", 0) == 0) return " (from the command line)";
  return " (from " + o.where + ")";
}

std::string shown_value(const Settings& s, const std::string& key, bool hide) {
  for (const auto& spec : s.specs())
    if (spec.key == key && spec.secret) hide = true;
  if (hide) return "a value not shown here (it may hold a secret)";
  std::string out = "'";
  for (unsigned char c : s.get(key)) {
    if (c < 0x20 || c == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "'";
}

}  // namespace

SettingRule whole_number(std::string key, long long min, long long max) {
  std::string allowed = max == 2147483647 ? "a whole number, " + std::to_string(min) + " or more"
                                          : "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  return {std::move(key), std::move(allowed),
          [min, max](const std::string& v) {
            const auto n = parse_whole(v);
            return n && *n >= min && *n <= max;
          },
          SettingRule::Toml::integer};
}

SettingRule decimal_number(std::string key, double min, double max) {
  return {std::move(key), "a number from " + number_text(min) + " to " + number_text(max) + " (decimals allowed)",
          [min, max](const std::string& v) {
            // Plain decimal notation only: strtod would also take hex, "inf" and "nan".
            if (v.empty() || v.find_first_not_of("0123456789.-+eE") != std::string::npos) return false;
            char* end = nullptr;
            const double d = std::strtod(v.c_str(), &end);
            return end == v.c_str() + v.size() && std::isfinite(d) && d >= min && d <= max;
          },
          SettingRule::Toml::number};
}

SettingRule true_or_false(std::string key) {
  // The words Settings::get_bool reads.
  return {std::move(key), "true or false (also yes/no, on/off, 1/0)",
          [](const std::string& v) {
            for (const char* w : {"true", "false", "yes", "no", "on", "off", "1", "0"})
              if (v == w) return true;
            return false;
          },
          SettingRule::Toml::boolean};
}

SettingRule one_of(std::string key, std::vector<std::string> allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return {std::move(key), "one of " + list,
          [allowed = std::move(allowed)](const std::string& v) {
            for (const auto& a : allowed)
              if (v == a) return true;
            return false;
          }};
}

SettingRule port_number(std::string key) {
  SettingRule r = whole_number(std::move(key), 1, 65535);
  r.allowed = "a port number from 1 to 65535";
  return r;
}

SettingRule host(std::string key) {
  return {std::move(key), "a host name or an IP address", [](const std::string& v) { return is_host(v); }};
}

SettingRule listen_address(std::string key, bool may_be_empty) {
  return {std::move(key),
          std::string(may_be_empty ? "empty or " : "") + "HOST:PORT with a port from 0 to 65535 (0: any free port)",
          [may_be_empty](const std::string& v) { return (may_be_empty && v.empty()) || is_host_port(v, 0); }};
}

SettingRule host_port_list(std::string key, bool may_be_empty) {
  return {std::move(key), std::string(may_be_empty ? "empty or " : "") + "HOST:PORT[,HOST:PORT…] with ports from 1 to 65535",
          [may_be_empty](const std::string& v) {
            if (v.empty()) return may_be_empty;
            std::size_t start = 0;
            while (true) {
              const auto comma = v.find(',', start);
              if (!is_host_port(v.substr(start, comma - start), 1)) return false;
              if (comma == std::string::npos) return true;
              start = comma + 1;
            }
          }};
}

SettingRule xmpp_domain(std::string key) {
  return {std::move(key), "an XMPP domain: a host name such as rooms.example.org, without '@' or '/'",
          [](const std::string& v) {
            if (v.empty() || v.find_first_of("@/") != std::string::npos) return false;
            return std::holds_alternative<core::Jid>(core::Jid::parse(v));
          }};
}

SettingRule plain_text(std::string key, bool may_be_empty) {
  return {std::move(key), may_be_empty ? "text without control characters" : "non-empty text without control characters",
          [may_be_empty](const std::string& v) { return (may_be_empty || !v.empty()) && !has_control_characters(v); }};
}

SettingRule readable_file(std::string key) {
  return {std::move(key), "empty or the path of a file mucstream can read",
          [](const std::string& v) { return v.empty() || (!has_control_characters(v) && ::access(v.c_str(), R_OK) == 0); }};
}

SettingRule web_origins(std::string key) {
  // What a browser sends in Origin: a scheme, "://", a host and maybe a port; nothing after.
  const auto origin = [](std::string o) {
    while (!o.empty() && (o.front() == ' ' || o.front() == '\t')) o.erase(0, 1);
    while (!o.empty() && (o.back() == ' ' || o.back() == '\t')) o.pop_back();
    if (o == "*") return true;
    const auto sep = o.find("://");
    if (sep == std::string::npos || sep == 0) return false;
    for (std::size_t i = 0; i < sep; ++i) {
      const unsigned char c = static_cast<unsigned char>(o[i]);
      if (!(std::isalpha(c) || (i > 0 && (std::isdigit(c) || c == '+' || c == '-' || c == '.')))) return false;
    }
    const std::string rest = o.substr(sep + 3);
    if (rest.find('/') != std::string::npos) return false;
    return is_host(rest) || is_host_port(rest, 1);
  };
  return {std::move(key), "empty, '*', or origins such as https://app.example.org:8443 separated by commas (no path)",
          [origin](const std::string& v) {
            if (v.empty()) return true;
            std::size_t start = 0;
            while (true) {
              const auto comma = v.find(',', start);
              if (!origin(v.substr(start, comma - start))) return false;
              if (comma == std::string::npos) return true;
              start = comma + 1;
            }
          }};
}

SettingRule custom(std::string key, std::string allowed, std::function<bool(const std::string&)> accepts) {
  return {std::move(key), std::move(allowed), std::move(accepts)};
}

SettingRule rule_for(const SettingSpec& spec, const std::vector<SettingRule>& rules) {
  for (const auto& r : rules)
    if (r.key == spec.key) return r;
  if (spec.default_value == "true" || spec.default_value == "false") return true_or_false(spec.key);
  if (parse_whole(spec.default_value)) return whole_number(spec.key, 0);
  return plain_text(spec.key, true);
}

std::string refusal(const Settings& s, const std::string& key, const std::string& allowed, bool hide_value) {
  return Settings::flag_for(key) + " (" + key + ") must be " + allowed + ", got " + shown_value(s, key, hide_value) +
         origin_text(s, key);
}

void check_settings(const Settings& s, const std::vector<SettingRule>& rules) {
  for (const auto& spec : s.specs()) {
    const SettingRule rule = rule_for(spec, rules);
    const Settings::Origin origin = s.origin(spec.key);
    if (!origin.toml_type.empty() && !toml_type_fits(rule.toml, origin.toml_type))
      throw SettingsError(Settings::flag_for(spec.key) + " (" + spec.key + ") must be " + rule.allowed +
                          ", written as a TOML " + toml_name(rule.toml) + ", got a TOML " + origin.toml_type + " " +
                          shown_value(s, spec.key, rule.hide_value) + origin_text(s, spec.key));
    if (!rule.accepts(s.get(spec.key))) throw SettingsError(refusal(s, spec.key, rule.allowed, rule.hide_value));
  }
}

std::vector<SettingSpec> with_allowed_values(std::vector<SettingSpec> specs, const std::vector<SettingRule>& rules) {
  for (auto& spec : specs) spec.help += "\nallowed: " + rule_for(spec, rules).allowed;
  return specs;
}

}  // namespace mucstream::tools
