// mucstreamd ROLE [options]: the mucstream daemon. See --help.
#include <cstdio>
#include <cstring>
#include <string>

#include "tools/common/log.hpp"
#include "tools/common/secret_files.hpp"
#include "tools/common/version.hpp"
#include "tools/mucstreamd/roles.hpp"
#include "tools/mucstreamd/setting_rules.hpp"

using namespace mucstream::tools;

namespace {
constexpr const char* kUsage =
    "usage: mucstreamd ROLE [options]\n\n"
    "Roles:\n"
    "  component    XEP-0114 MUC component (rooms, occupants); with --kafka-brokers Kafka is its\n"
    "               commit point and it restores the rooms from Kafka on every connect\n"
    "  materialize  consume events from Kafka into PostgreSQL\n"
    "  api          talky-style HTTP API and analytics\n"
    "  all          component + API in one process; PostgreSQL is the commit point (the embedded\n"
    "               default), or with --kafka-brokers: Kafka, plus the materialiser\n"
    "  migrate      apply SQL migrations and exit\n"
    "  reports      --recompute (--room-id ID | --all): rebuild room reports from stored events\n"
    "  kafka-mock   librdkafka's mock cluster as its own process (development, fault tests)\n\n"
    "mucstreamd --version prints the version; mucstreamd ROLE --help the role's options.";

// Every setting, each secret also from a file, with what it accepts in its help text.
std::vector<SettingSpec> all_settings() {
  return with_allowed_values(with_secret_files(mucstreamd_settings()), mucstreamd_setting_rules());
}

struct Role {
  const char* name;
  int (*run)(const Settings&);
};
constexpr Role kRoles[] = {{"component", run_component}, {"materialize", run_materialize}, {"api", run_api},
                           {"all", run_all},             {"migrate", run_migrate},
                           {"reports", run_reports}};
}  // namespace

int main(int argc, char** argv) {
  if (argc == 2 && std::strcmp(argv[1], "--version") == 0) {
    std::printf("mucstreamd %s\n", kVersion);
    return 0;
  }
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0) {
    Settings s(all_settings());
    std::puts(s.help(kUsage).c_str());
    return argc < 2 ? 2 : 0;
  }
  if (std::strcmp(argv[1], "kafka-mock") == 0) {
    try {
      return run_kafka_mock(argc - 2, argv + 2);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "mucstreamd kafka-mock: %s\n", e.what());
      return 2;
    }
  }
  const Role* role = nullptr;
  for (const Role& r : kRoles)
    if (std::strcmp(argv[1], r.name) == 0) role = &r;
  if (role == nullptr) {
    std::fprintf(stderr, "mucstreamd: unknown role '%s'\n%s\n", argv[1], kUsage);
    return 2;
  }
  Settings settings(all_settings());
  try {
    settings.parse(argc - 2, argv + 2, Settings::environment());
    validate_mucstreamd_settings(settings);
    read_secret_files(settings);
  } catch (const SettingsError& e) {
    std::fprintf(stderr, "mucstreamd %s: %s\n", role->name, e.what());
    return 2;
  }
  if (settings.help_requested()) {
    std::puts(settings.help(std::string("usage: mucstreamd ") + role->name + " [options]").c_str());
    return 0;
  }
  log::set_level(settings.get("log.level"));
  log::set_format(settings.get("log.format"));
  for (const std::string& warning : secret_warnings(settings)) log::warn("settings", "{}", warning);
  try {
    return role->run(settings);
  } catch (const SettingsError& e) {
    std::fprintf(stderr, "mucstreamd %s: %s\n", role->name, e.what());
    return 2;
  } catch (const std::exception& e) {
    log::error(role->name, "fatal: {}", e.what());
    return 1;
  }
}
