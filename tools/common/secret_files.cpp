#include "tools/common/secret_files.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace mucstream::tools {
namespace {
const std::string kSuffix = "_file";

bool is_file_key(const Settings& s, const std::string& key, std::string& secret_key) {
  if (key.size() <= kSuffix.size() || key.compare(key.size() - kSuffix.size(), kSuffix.size(), kSuffix) != 0)
    return false;
  secret_key = key.substr(0, key.size() - kSuffix.size());
  for (const auto& spec : s.specs())
    if (spec.key == secret_key) return spec.secret;
  return false;
}

// A libpq connection string that carries a password: key=value form or a URI's user:password@.
bool has_password(const std::string& conninfo) {
  if (conninfo.find("password") != std::string::npos) return true;
  const auto scheme = conninfo.find("://");
  if (scheme == std::string::npos) return false;
  const auto at = conninfo.find('@', scheme);
  const auto colon = conninfo.find(':', scheme + 3);
  return at != std::string::npos && colon != std::string::npos && colon < at;
}
}  // namespace

std::vector<SettingSpec> with_secret_files(std::vector<SettingSpec> specs) {
  std::vector<SettingSpec> out;
  for (auto& spec : specs) {
    const bool secret = spec.secret;
    const std::string key = spec.key, alias = spec.alias;
    out.push_back(std::move(spec));
    if (!secret) continue;
    out.emplace_back(key + kSuffix, "",
                     "file holding " + key + " (instead of the value itself, which `ps` would show as a flag)", false,
                     alias.empty() ? std::string() : alias + "-file");
  }
  return out;
}

std::vector<SettingRule> secret_file_rules(const std::vector<SettingSpec>& specs) {
  std::vector<SettingRule> rules;
  for (const auto& spec : specs)
    if (spec.secret) rules.push_back(readable_file(spec.key + kSuffix));
  return rules;
}

void read_secret_files(Settings& s) {
  std::vector<std::pair<std::string, std::string>> found;  // (file key, secret key)
  for (const auto& spec : s.specs()) {
    std::string secret_key;
    if (is_file_key(s, spec.key, secret_key) && !s.get(spec.key).empty()) found.emplace_back(spec.key, secret_key);
  }
  for (const auto& [file_key, secret_key] : found) {
    const std::string path = s.get(file_key);
    const std::string names = Settings::flag_for(file_key) + " (" + file_key + ")";
    if (!s.get(secret_key).empty())
      throw SettingsError(names + " and " + Settings::flag_for(secret_key) + " (" + secret_key +
                          ") are both set; give the secret one way only");
    std::ifstream in(path, std::ios::binary);
    if (!in) throw SettingsError(names + ": cannot read " + path + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    std::string secret = text.str();
    if (!secret.empty() && secret.back() == '\n') secret.pop_back();
    if (!secret.empty() && secret.back() == '\r') secret.pop_back();
    if (secret.empty()) throw SettingsError(names + ": " + path + " is empty");
    for (unsigned char c : secret)
      if (c < 0x20 || c == 0x7f)
        throw SettingsError(names + ": " + path + " must hold the secret on one line, without control characters");
    s.set(secret_key, std::move(secret));
  }
}

std::vector<std::string> secret_warnings(const Settings& s) {
  std::vector<std::string> out;
  for (const auto& spec : s.specs()) {
    const bool from_flag = s.origin(spec.key).where.rfind("--", 0) == 0;
    std::string secret_key;
    if (spec.secret && from_flag && !s.get(spec.key).empty())
      out.push_back(Settings::flag_for(spec.key) + " on the command line is visible to every local user (ps); use " +
                    Settings::flag_for(spec.key + kSuffix) + " or " + Settings::env_for(spec.key) + " instead");
    if (spec.key == "pg" && from_flag && has_password(s.get("pg")))
      out.push_back("--pg holds a password, visible to every local user (ps); use MUCSTREAM_PG, PGPASSWORD or a "
                    "passfile (PGPASSFILE, ~/.pgpass) instead");
    if (is_file_key(s, spec.key, secret_key) && !s.get(spec.key).empty()) {
      struct stat st {};
      if (::stat(s.get(spec.key).c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0)
        out.push_back(Settings::flag_for(spec.key) + ": " + s.get(spec.key) +
                      " is readable by every local user; chmod o-r it");
    }
  }
  return out;
}

}  // namespace mucstream::tools
