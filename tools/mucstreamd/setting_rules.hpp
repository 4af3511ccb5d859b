#pragma once
// What each mucstreamd setting may be: one table of ranges, sets and forms (setting_rules.cpp),
// checked at start-up before any role connects anywhere.
#include <vector>

#include "tools/common/setting_checks.hpp"

namespace mucstream::tools {

// The rules of mucstreamd's settings that are not what their default implies (see
// setting_checks.hpp: a whole-number default means "a whole number, 0 or more").
std::vector<SettingRule> mucstreamd_setting_rules();

}  // namespace mucstream::tools
