// Settings precedence: default < TOML file < environment < flag; kafka.* passthrough.
#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

#include "tools/common/settings.hpp"

using namespace mucstream::tools;

namespace {
std::vector<SettingSpec> specs() {
  return {{"xmpp.host", "127.0.0.1", "host"}, {"xmpp.port", "5347", "port"}, {"pg", "", "pg"},
          {"kafka.brokers", "", "brokers"}, {"flag.on", "false", "a bool"}};
}
std::vector<std::string> parse(Settings& s, std::vector<const char*> args, std::map<std::string, std::string> env = {}) {
  return s.parse(static_cast<int>(args.size()), args.data(), env);
}
}  // namespace

TEST_CASE("settings: names derive from keys") {
  CHECK(Settings::flag_for("xmpp.host") == "--xmpp-host");
  CHECK(Settings::flag_for("limits.max_stanza_bytes") == "--limits-max-stanza-bytes");
  CHECK(Settings::env_for("xmpp.host") == "MUCSTREAM_XMPP_HOST");
  CHECK(Settings::env_for("pg") == "MUCSTREAM_PG");
}

TEST_CASE("settings: default < file < environment < flag") {
  const std::string path = "/tmp/mucstream-settings-test.toml";
  {
    std::ofstream f(path);
    f << "pg = \"dbname=file\"\n[xmpp]\nhost = \"file.example\"\nport = 6000\n[kafka]\n\"security.protocol\" = \"SASL_SSL\"\n";
  }
  Settings s(specs());
  auto rest = parse(s, {"--config", path.c_str(), "--xmpp-port=7000", "extra"},
                    {{"MUCSTREAM_XMPP_HOST", "env.example"}, {"MUCSTREAM_KAFKA__SASL_MECHANISMS", "PLAIN"}});
  CHECK(rest == std::vector<std::string>{"extra"});
  CHECK(s.get("xmpp.host") == "env.example");  // env beats file
  CHECK(s.get_int("xmpp.port") == 7000);       // flag beats file
  CHECK(s.get("pg") == "dbname=file");         // file beats default
  auto props = s.kafka_properties();
  CHECK(props.at("security.protocol") == "SASL_SSL");
  CHECK(props.at("sasl.mechanisms") == "PLAIN");
  CHECK(props.count("brokers") == 0);  // registered keys are not librdkafka properties
  std::remove(path.c_str());
}

TEST_CASE("settings: bad input is a clear error") {
  Settings s(specs());
  CHECK_THROWS_WITH_AS(parse(s, {"--nope"}), "unknown option --nope (see --help)", SettingsError);
  CHECK_THROWS_AS(parse(s, {"--xmpp-host"}), SettingsError);
  CHECK_THROWS_AS(parse(s, {"--config", "/nonexistent/file.toml"}), SettingsError);
  Settings t(specs());
  parse(t, {"--xmpp-port", "abc", "--flag-on", "maybe", "--kafka.linger.ms=5"});
  CHECK_THROWS_WITH_AS(t.get_int("xmpp.port"), "--xmpp-port must be a whole number, got 'abc'", SettingsError);
  CHECK_THROWS_AS(t.get_bool("flag.on"), SettingsError);
  CHECK(t.kafka_properties().at("linger.ms") == "5");
  Settings h(specs());
  parse(h, {"--help"});
  CHECK(h.help_requested());
  CHECK(h.help("usage").find("MUCSTREAM_XMPP_HOST") != std::string::npos);
}

TEST_CASE("settings: a short alias flag sets the same key, env and help keep the long names") {
  Settings s({{"xmpp.domain", "rooms.localhost", "domain", false, "--domain"},
              {"xmpp.secret", "", "secret", true, "--secret"}});
  parse(s, {"--domain", "rooms.example.org", "--secret=S"}, {{"MUCSTREAM_XMPP_SECRET", "from-env"}});
  CHECK(s.get("xmpp.domain") == "rooms.example.org");
  CHECK(s.get("xmpp.secret") == "S");  // the flag beats the environment
  Settings t({{"xmpp.domain", "rooms.localhost", "domain", false, "--domain"}});
  parse(t, {"--xmpp-domain", "long.example"}, {});
  CHECK(t.get("xmpp.domain") == "long.example");
  const std::string help = t.help("usage");
  CHECK(help.find("--xmpp-domain, --domain") != std::string::npos);
  CHECK(help.find("MUCSTREAM_XMPP_DOMAIN") != std::string::npos);
}

TEST_CASE("settings: a true/false setting may stand alone, meaning true, others still need a value") {
  const std::vector<SettingSpec> reports = {{"reports.recompute", "false", "recompute", false, "--recompute"},
                                            {"reports.room_id", "", "room", false, "--room-id"},
                                            {"reports.all", "false", "all", false, "--all"}};
  Settings s(reports);
  CHECK(parse(s, {"--recompute", "--room-id", "R", "--all"}).empty());
  CHECK(s.get_bool("reports.recompute"));
  CHECK(s.get("reports.room_id") == "R");
  CHECK(s.get_bool("reports.all"));
  Settings t(reports);
  parse(t, {"--all=false", "--reports-recompute", "no"}, {{"MUCSTREAM_REPORTS_ALL", "true"}});
  CHECK_FALSE(t.get_bool("reports.all"));  // the flag beats the environment
  CHECK_FALSE(t.get_bool("reports.recompute"));
  Settings u(reports);
  CHECK_THROWS_AS(parse(u, {"--room-id"}), SettingsError);
  Settings v(reports);
  parse(v, {"--room-id", "A", "--room-id=B"});
  CHECK(v.get("reports.room_id") == "B");  // the last one given wins
}

TEST_CASE("settings: --help text starts with the usage and names every way to set a key") {
  Settings s(specs());
  const std::string help = s.help("usage: prog ROLE [options]");
  CHECK(help.rfind("usage: prog ROLE [options]\n", 0) == 0);
  for (const char* part : {"--config FILE", "--xmpp-host VALUE", "MUCSTREAM_XMPP_PORT", "toml xmpp.port", "default '5347'",
                           "--flag-on [VALUE]", "--kafka.<property>=VALUE", "-h, --help"})
    CHECK_MESSAGE(help.find(part) != std::string::npos, part);
}
