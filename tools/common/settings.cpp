#include "tools/common/settings.hpp"

#include <CLI/CLI.hpp>
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
      std::string value, type;
      if (auto s = node.as_string()) value = s->get(), type = "string";
      else if (auto i = node.as_integer()) value = std::to_string(i->get()), type = "integer";
      else if (auto b = node.as_boolean()) value = b->get() ? "true" : "false", type = "boolean";
      else if (auto d = node.as_floating_point()) value = std::to_string(d->get()), type = "float";
      else throw SettingsError("config file " + path + ": unsupported value for '" + key + "'");
      set(key, value);
      origins_[key] = {"config file " + path, type};
    }
  }
}

namespace {

// CLI11's help in the shape of this registry: the usage line first, a setting's names joined
// by ", ", each value shown as VALUE (a switch's implied "true" is not a default to print).
class HelpFormatter : public CLI::Formatter {
 public:
  explicit HelpFormatter(std::string usage) : usage_(std::move(usage)) { column_width(36); }
  std::string make_usage(const CLI::App*, std::string) const override { return usage_ + "\n"; }
  std::string make_option_name(const CLI::Option* o, bool) const override {
    std::string names = o->get_name(false, true);
    for (std::size_t at = names.find(','); at != std::string::npos; at = names.find(',', at + 2))
      names.insert(at + 1, " ");
    return names;
  }
  std::string make_option_opts(const CLI::Option* o) const override {
    if (o->get_expected_max() == 0) return {};  // --help
    return o->get_expected_min() == 0 ? " [" + o->get_type_name() + "]" : " " + o->get_type_name();
  }

 private:
  std::string usage_;
};

bool is_switch(const SettingSpec& s) { return s.default_value == "true" || s.default_value == "false"; }

// The command line of a registry, as CLI11 options: --config FILE (each occurrence, in
// order), --help, and one option per setting whose callback records the value given.
// Positionals and --kafka.<property>=VALUE are left in remaining() for the caller.
void describe(CLI::App& app, const std::vector<SettingSpec>& specs, std::vector<std::string>& configs, bool& help,
              std::map<std::string, std::string>& given) {
  app.set_help_flag();
  app.allow_extras();
  app.option_defaults()->group("Options (flag, environment variable, TOML key, default)");
  app.add_option_function<std::string>("--config", [&configs](const std::string& p) { configs.push_back(p); },
                                       "TOML file with any of the keys below (also MUCSTREAM_CONFIG)")
      ->type_name("FILE")
      ->trigger_on_parse();
  for (const auto& s : specs) {
    std::string text = s.help + "\nenv " + Settings::env_for(s.key) + ", toml " + s.key;
    if (!s.default_value.empty() && !s.secret) text += ", default '" + s.default_value + "'";
    std::string names = Settings::flag_for(s.key) + (s.alias.empty() ? "" : "," + s.alias);
    const auto record = [&given, key = s.key](const std::string& v) { given[key] = v; };
    CLI::Option* o = app.add_option_function<std::string>(names, record, text)
                         ->type_name("VALUE")
                         ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    if (is_switch(s)) o->expected(0, 1)->default_str("true");  // `--recompute` alone means true
  }
  app.add_flag("-h,--help", help, "this text");
  app.footer("  --kafka.<property>=VALUE\n      any librdkafka property, e.g. --kafka.security.protocol=SASL_SSL\n"
             "      (TOML [kafka] section, env MUCSTREAM_KAFKA__SECURITY_PROTOCOL)");
}

}  // namespace

std::vector<std::string> Settings::parse(int argc, const char* const* argv, const std::map<std::string, std::string>& env) {
  CLI::App app;
  std::vector<std::string> configs;
  std::map<std::string, std::string> given;
  describe(app, specs_, configs, help_, given);
  std::vector<std::string> args;
  for (int i = 0; i < argc; ++i) {
    // "--flag=" sets an empty value; CLI11 would take the next argument as the value instead.
    const std::string a = argv[i];
    const SettingSpec* empty_for = nullptr;
    if (a.size() > 3 && a.rfind("--", 0) == 0 && a.find('=') == a.size() - 1)
      for (const auto& s : specs_)
        if (flag_for(s.key) + "=" == a || (!s.alias.empty() && s.alias + "=" == a)) empty_for = &s;
    if (empty_for != nullptr) given[empty_for->key] = "";
    else args.push_back(a);
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    throw SettingsError(e.what());
  }
  // Lowest to highest: the files, the environment, the flags.
  for (const auto& path : configs) {
    if (path.empty()) throw SettingsError("--config needs a file name");
    load_toml(path);
  }
  if (auto it = env.find("MUCSTREAM_CONFIG"); it != env.end() && !it->second.empty()) load_toml(it->second);
  for (const auto& s : specs_)
    if (auto it = env.find(env_for(s.key)); it != env.end()) {
      values_[s.key] = it->second;
      origins_[s.key] = {it->first, ""};
    }
  for (const auto& [name, value] : env) {
    if (name.rfind("MUCSTREAM_KAFKA__", 0) != 0) continue;
    std::string prop = name.substr(17);
    for (auto& c : prop) c = c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    values_["kafka." + prop] = value;
    origins_["kafka." + prop] = {name, ""};
  }
  for (auto& [key, value] : given) {
    values_[key] = std::move(value);
    origins_[key] = {flag_for(key), ""};
  }

  std::vector<std::string> positional;
  for (const std::string& a : app.remaining()) {
    const auto eq = a.find('=');
    const std::string name = a.substr(0, eq);
    if (name.rfind("--kafka.", 0) == 0) {
      if (eq == std::string::npos) throw SettingsError(name + " needs =VALUE");
      values_[name.substr(2)] = a.substr(eq + 1);
      origins_[name.substr(2)] = {name, ""};
    } else if (a.rfind("--", 0) == 0) {
      throw SettingsError("unknown option " + name + " (see --help)");
    } else {
      positional.push_back(a);
    }
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

Settings::Origin Settings::origin(const std::string& key) const {
  auto it = origins_.find(key);
  return it == origins_.end() ? Origin{} : it->second;
}

std::map<std::string, std::string> Settings::kafka_properties() const {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : values_)
    if (k.rfind("kafka.", 0) == 0 && spec(k) == nullptr) out[k.substr(6)] = v;
  return out;
}

std::string Settings::help(const std::string& usage) const {
  CLI::App app;
  std::vector<std::string> configs;
  std::map<std::string, std::string> given;
  bool help = false;
  describe(app, specs_, configs, help, given);
  app.formatter(std::make_shared<HelpFormatter>(usage));
  return app.help();
}

std::vector<SettingSpec> common_settings() {
  return {
      {"log.level", "info", "log level: debug, info, warn, error"},
      {"log.format", "text", "log lines: 'text' (time LEVEL component: message) or 'json' (one object per line)"},
  };
}

}  // namespace mucstream::tools
