#include "tools/common/settings.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <sstream>

extern char** environ;

namespace mucstream::tools {

Settings::Settings(std::vector<SettingSpec> specs) : specs_(std::move(specs)) {
  for (const auto& s : specs_) values_[s.key] = s.default_value;
}

std::string Settings::flag_for(const std::string& key) {
  std::string f = "--" + key;
  std::replace(f.begin(), f.end(), '.', '-');
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

std::string Settings::env_for(const std::string& key) {
  std::string e = "MUCSTREAM_" + key;
  for (auto& c : e) c = (c == '.' || c == '-') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return e;
}

std::map<std::string, std::string> Settings::environment() {
  std::map<std::string, std::string> env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    auto eq = kv.find('=');
    if (eq != std::string::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

const SettingSpec* Settings::spec(const std::string& key) const {
  for (const auto& s : specs_)
    if (s.key == key) return &s;
  return nullptr;
}

void Settings::set(const std::string& key, std::string value) {
  if (spec(key) == nullptr && key.rfind("kafka.", 0) != 0) throw SettingsError("unknown setting '" + key + "'");
  values_[key] = std::move(value);
}

void Settings::load_toml(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "cannot read config file " << path << ": " << e.description() << " at line " << e.source().begin.line;
    throw SettingsError(msg.str());
  }
  // Flatten nested tables into dotted keys.
  std::vector<std::pair<std::string, const toml::table*>> stack{{"", &root}};
  while (!stack.empty()) {
    auto [prefix, table] = stack.back();
    stack.pop_back();
    for (const auto& [k, node] : *table) {
      std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
      if (const auto* t = node.as_table()) {
        stack.emplace_back(key, t);
        continue;
      }
      std::string value;
      if (auto s = node.value<std::string>()) value = *s;
      else if (auto i = node.value<std::int64_t>()) value = std::to_string(*i);
      else if (auto b = node.value<bool>()) value = *b ? "true" : "false";
      else if (auto d = node.value<double>()) value = std::to_string(*d);
      else throw SettingsError("config file " + path + ": unsupported value for '" + key + "'");
      set(key, value);
    }
  }
}

std::vector<std::string> Settings::parse(int argc, const char* const* argv, const std::map<std::string, std::string>& env) {
  // Find --config first: the file sits below environment and flags.
  std::vector<std::string> args(argv, argv + argc);
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" || args[i].rfind("--config=", 0) == 0) {
      std::string path = args[i] == "--config" ? (i + 1 < args.size() ? args[i + 1] : "") : args[i].substr(9);
      if (path.empty()) throw SettingsError("--config needs a file name");
      load_toml(path);
    }
  }
  if (auto it = env.find("MUCSTREAM_CONFIG"); it != env.end() && !it->second.empty()) load_toml(it->second);
  for (const auto& s : specs_)
    if (auto it = env.find(env_for(s.key)); it != env.end()) values_[s.key] = it->second;
  for (const auto& [name, value] : env) {
    if (name.rfind("MUCSTREAM_KAFKA__", 0) != 0) continue;
    std::string prop = name.substr(17);
    for (auto& c : prop) c = c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    values_["kafka." + prop] = value;
  }

  std::vector<std::string> positional;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      help_ = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      positional.push_back(a);
      continue;
    }
    std::string name = a, value;
    bool has_value = false;
    if (auto eq = a.find('='); eq != std::string::npos) {
      name = a.substr(0, eq);
      value = a.substr(eq + 1);
      has_value = true;
    }
    if (name == "--config") {
      if (!has_value) ++i;
      continue;
    }
    if (name.rfind("--kafka.", 0) == 0) {
      if (!has_value) throw SettingsError(name + " needs =VALUE");
      values_[name.substr(2)] = value;
      continue;
    }
    const SettingSpec* match = nullptr;
    for (const auto& s : specs_)
      if (flag_for(s.key) == name || (!s.alias.empty() && s.alias == name)) match = &s;
    if (match == nullptr) throw SettingsError("unknown option " + name + " (see --help)");
    if (!has_value) {
      if (i + 1 >= args.size()) throw SettingsError(name + " needs a value");
      value = args[++i];
    }
    values_[match->key] = value;
  }
  return positional;
}

const std::string& Settings::get(const std::string& key) const {
  auto it = values_.find(key);
  if (it == values_.end()) throw SettingsError("unknown setting '" + key + "'");
  return it->second;
}

int Settings::get_int(const std::string& key) const {
  const std::string& v = get(key);
  try {
    std::size_t used = 0;
    int n = std::stoi(v, &used);
    if (used != v.size()) throw std::invalid_argument(v);
    return n;
  } catch (const std::exception&) {
    throw SettingsError(flag_for(key) + " must be a whole number, got '" + v + "'");
  }
}

bool Settings::get_bool(const std::string& key) const {
  const std::string& v = get(key);
  if (v == "true" || v == "1" || v == "yes" || v == "on") return true;
  if (v == "false" || v == "0" || v == "no" || v == "off" || v.empty()) return false;
  throw SettingsError(flag_for(key) + " must be true or false, got '" + v + "'");
}

std::map<std::string, std::string> Settings::kafka_properties() const {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : values_)
    if (k.rfind("kafka.", 0) == 0 && spec(k) == nullptr) out[k.substr(6)] = v;
  return out;
}

std::string Settings::help(const std::string& usage) const {
  std::ostringstream o;
  o << usage << "\n\nOptions (flag / environment variable / TOML key, default):\n";
  o << "  --config FILE\n      TOML file with any of the keys below (also MUCSTREAM_CONFIG)\n";
  for (const auto& s : specs_) {
    o << "  " << flag_for(s.key);
    if (!s.alias.empty()) o << ", " << s.alias;
    o << " VALUE\n      " << s.help << "\n      env " << env_for(s.key) << ", toml "
      << s.key;
    if (!s.default_value.empty() && !s.secret) o << ", default '" << s.default_value << "'";
    o << "\n";
  }
  o << "  --kafka.<property>=VALUE\n      any librdkafka property, e.g. --kafka.security.protocol=SASL_SSL\n"
    << "      (TOML [kafka] section, env MUCSTREAM_KAFKA__SECURITY_PROTOCOL)\n";
  o << "  --help\n      this text\n";
  return o.str();
}

std::vector<SettingSpec> common_settings() {
  return {
      {"log.level", "info", "log level: debug, info, warn, error"},
  };
}

}  // namespace mucstream::tools
