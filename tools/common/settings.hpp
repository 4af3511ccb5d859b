#pragma once
// Settings for every mucstream program: one registry of keys, each settable (lowest to
// highest precedence) by its default, a TOML file, an environment variable and a flag.
//   key "xmpp.host"  <->  TOML [xmpp] host = "…"  <->  MUCSTREAM_XMPP_HOST  <->  --xmpp-host
// Keys under "kafka." that are not registered pass through to librdkafka untouched
// (TOML [kafka] section, --kafka.<property>=…, MUCSTREAM_KAFKA__<PROPERTY with _ for .>).
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mucstream::tools {

struct SettingSpec {
  SettingSpec(std::string k, std::string def, std::string h, bool is_secret = false, std::string short_flag = {})
      : key(std::move(k)), default_value(std::move(def)), help(std::move(h)), secret(is_secret), alias(std::move(short_flag)) {}
  std::string key;           // dotted, e.g. "xmpp.host"
  std::string default_value; // as text
  std::string help;
  bool secret = false;       // never printed
  std::string alias;         // an extra, shorter flag, e.g. "--domain" for xmpp.domain
};

class SettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Settings {
 public:
  explicit Settings(std::vector<SettingSpec> specs);

  // Parses argv after the role name (with CLI11). Recognises --config FILE (TOML), --help,
  // every registered flag as --flag VALUE or --flag=VALUE (a setting whose default is true
  // or false also alone, meaning true), and --kafka.<prop>=VALUE.
  // Returns the positional arguments left over. Throws SettingsError on bad input.
  std::vector<std::string> parse(int argc, const char* const* argv, const std::map<std::string, std::string>& env);

  bool help_requested() const { return help_; }
  std::string help(const std::string& usage) const;

  const std::string& get(const std::string& key) const;
  int get_int(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  // librdkafka properties given as kafka.<property> (the "kafka." prefix removed).
  std::map<std::string, std::string> kafka_properties() const;
  void set(const std::string& key, std::string value);

  // Where the value in force came from, for messages: empty (the default), the flag as given
  // ("--xmpp-port"), the environment variable, or "config file PATH"; and for a TOML value
  // its type there ("string", "integer", "float", "boolean"), empty otherwise.
  struct Origin {
    std::string where;
    std::string toml_type;
  };
  Origin origin(const std::string& key) const;
  const std::vector<SettingSpec>& specs() const { return specs_; }

  static std::string flag_for(const std::string& key);  // "xmpp.host" -> "--xmpp-host"
  static std::string env_for(const std::string& key);   // "xmpp.host" -> "MUCSTREAM_XMPP_HOST"
  static std::map<std::string, std::string> environment();

 private:
  void load_toml(const std::string& path);
  const SettingSpec* spec(const std::string& key) const;
  std::vector<SettingSpec> specs_;
  std::map<std::string, std::string> values_;
  std::map<std::string, Origin> origins_;
  bool help_ = false;
};

// The settings every role shares; each program adds its own.
std::vector<SettingSpec> common_settings();

}  // namespace mucstream::tools
