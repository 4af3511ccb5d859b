#pragma once
// Secrets kept out of the command line, where every local user reads them (ps,
// /proc/PID/cmdline): each secret setting KEY also has KEY_file (--jwt-secret-file,
// MUCSTREAM_JWT_SECRET_FILE, TOML jwt.secret_file) naming a file that holds it, and the
// environment (MUCSTREAM_JWT_SECRET) stays an option. A secret still given as a flag works,
// with a warning.
#include <string>
#include <vector>

#include "tools/common/setting_checks.hpp"
#include "tools/common/settings.hpp"

namespace mucstream::tools {

// The specs with a KEY_file spec after each secret one (its alias, if any, gets "-file" too).
std::vector<SettingSpec> with_secret_files(std::vector<SettingSpec> specs);

// Rules for the KEY_file settings: empty, or a file this process can read.
std::vector<SettingRule> secret_file_rules(const std::vector<SettingSpec>& specs);

// Reads each KEY_file given into KEY: the file's content without one trailing line break.
// Throws SettingsError (naming the setting, never the secret) when KEY is given too, or the
// file is empty, unreadable or holds more than one line.
void read_secret_files(Settings& s);

// Warnings for an operator: secrets given as flags, a PostgreSQL password in a --pg flag,
// secret files that every local user may read.
std::vector<std::string> secret_warnings(const Settings& s);

}  // namespace mucstream::tools
