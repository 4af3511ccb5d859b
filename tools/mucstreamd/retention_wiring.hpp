#pragma once
// The retention.* settings as a policy, and the scheduled purge the materialiser's process
// runs beside it (none when every limit is 0: keep forever).
#include <memory>
#include <string>

#include "sql/retention_schedule.hpp"
#include "tools/common/settings.hpp"

namespace mucstream::tools {

sql::RetentionPolicy retention_policy(const Settings& s);
std::unique_ptr<sql::ScheduledPurge> scheduled_purge_if_configured(const Settings& s, const std::string& pg);

}  // namespace mucstream::tools
