#pragma once
// mucstreamd roles. Each lives in its own file (role_<name>.cpp) and returns an exit code.
#include <vector>

#include "tools/common/settings.hpp"

namespace mucstream::tools {

std::vector<SettingSpec> mucstreamd_settings();
// Checks every setting against setting_rules.cpp's table (throws SettingsError naming the
// setting, the value and what it accepts), so a typo stops the daemon at start with exit
// code 2 instead of running with something the operator did not mean.
void validate_mucstreamd_settings(const Settings&);

int run_component(const Settings&);
int run_materialize(const Settings&);
int run_api(const Settings&);
int run_all(const Settings&);
int run_migrate(const Settings&);
int run_reports(const Settings&);
// Parses its own few options (it needs none of the service settings).
int run_kafka_mock(int argc, char** argv);

}  // namespace mucstream::tools
