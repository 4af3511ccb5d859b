#include "tools/mucstreamd/retention_wiring.hpp"

#include "tools/common/log.hpp"

namespace mucstream::tools {

sql::RetentionPolicy retention_policy(const Settings& s) {
  return {.events_days = s.get_int("retention.events_days"),
          .bodies_days = s.get_int("retention.bodies_days"),
          .personal_days = s.get_int("retention.personal_days")};
}

std::unique_ptr<sql::ScheduledPurge> scheduled_purge_if_configured(const Settings& s, const std::string& pg) {
  const sql::RetentionPolicy p = retention_policy(s);
  if (!p.any()) return nullptr;
  const int every = s.get_int("retention.purge_interval_s");
  log::info("retention", "purging every {} s: events after {} days, bodies after {}, personal fields after {} (0: kept)",
            every, p.events_days, p.bodies_days, p.personal_days);
  return std::make_unique<sql::ScheduledPurge>(pg, p, every);
}

}  // namespace mucstream::tools
