// Start-up checks of settings (tools/common/setting_checks.*) and secrets read from files
// (tools/common/secret_files.*). The real binary's refusals are in settings_*_test.py.
#include <doctest/doctest.h>

#include <sys/stat.h>

#include <cstdio>
#include <fstream>

#include "core/log.hpp"
#include "tools/common/log.hpp"
#include "tools/common/secret_files.hpp"
#include "tools/common/setting_checks.hpp"

using namespace mucstream::tools;

namespace {
std::vector<const char*> args(std::initializer_list<const char*> a) { return a; }

void parse(Settings& s, std::vector<const char*> a, std::map<std::string, std::string> env = {}) {
  s.parse(static_cast<int>(a.size()), a.data(), env);
}

std::string write_file(const std::string& name, const std::string& text, mode_t mode = 0600) {
  const std::string path = "/tmp/mucstream-setting-checks-" + name;
  std::ofstream(path, std::ios::binary) << text;
  ::chmod(path.c_str(), mode);
  return path;
}
}  // namespace

TEST_CASE("setting checks: a setting without a rule is checked as its default implies") {
  CHECK(rule_for({"a.flag", "false", ""}, {}).allowed.rfind("true or false", 0) == 0);
  CHECK(rule_for({"a.count", "100", ""}, {}).allowed == "a whole number, 0 or more");
  CHECK(rule_for({"a.name", "auto", ""}, {}).allowed == "text without control characters");
  CHECK(rule_for({"a.count", "100", ""}, {whole_number("a.count", 1, 5)}).allowed == "a whole number from 1 to 5");

  Settings s({{"a.count", "100", ""}, {"a.flag", "false", ""}, {"a.name", "auto", ""}});
  parse(s, args({"--a-count", "-1"}));
  CHECK_THROWS_WITH_AS(check_settings(s, {}),
                       "--a-count (a.count) must be a whole number, 0 or more, got '-1' (from the command line)",
                       SettingsError);
  Settings t({{"a.count", "100", ""}, {"a.flag", "false", ""}, {"a.name", "auto", ""}});
  parse(t, args({"--a-flag", "yes", "--a-count", "0"}), {{"MUCSTREAM_A_NAME", "multi\nline"}});
  CHECK_THROWS_WITH_AS(check_settings(t, {}),
                       "--a-name (a.name) must be text without control characters, got 'multi\\x0aline' (from "
                       "MUCSTREAM_A_NAME)",
                       SettingsError);
}

TEST_CASE("setting checks: the kinds accept what they say and nothing else") {
  const auto ok = [](const SettingRule& r, const std::string& v) { return r.accepts(v); };
  CHECK(ok(port_number("p"), "1"));
  CHECK(ok(port_number("p"), "65535"));
  CHECK_FALSE(ok(port_number("p"), "0"));
  CHECK_FALSE(ok(port_number("p"), "65536"));
  CHECK_FALSE(ok(port_number("p"), "+80"));
  CHECK_FALSE(ok(port_number("p"), " 80"));
  CHECK(ok(decimal_number("d", 0, 10), "0.5"));
  CHECK_FALSE(ok(decimal_number("d", 0, 10), "nan"));
  CHECK_FALSE(ok(decimal_number("d", 0, 10), "0x5"));
  CHECK_FALSE(ok(decimal_number("d", 0, 10), "-0.5"));
  CHECK(ok(host("h"), "xmpp.example.org"));
  CHECK(ok(host("h"), "::1"));
  CHECK(ok(host("h"), "127.0.0.1"));
  CHECK_FALSE(ok(host("h"), "bad host"));
  CHECK_FALSE(ok(host("h"), "[::1]"));
  CHECK(ok(listen_address("l", false), "[::1]:9100"));
  CHECK(ok(listen_address("l", false), ":0"));
  CHECK_FALSE(ok(listen_address("l", false), "::1:9100"));
  CHECK_FALSE(ok(listen_address("l", false), ""));
  CHECK(ok(listen_address("l", true), ""));
  CHECK(ok(host_port_list("b", false), "k1.example.org:9093,k2.example.org:9093"));
  CHECK_FALSE(ok(host_port_list("b", false), "k1.example.org:9093,"));
  CHECK(ok(xmpp_domain("d"), "rooms.example.org"));
  CHECK(ok(xmpp_domain("d"), "Rooms.Example.Org"));  // stringprep folds case
  CHECK_FALSE(ok(xmpp_domain("d"), "bad domain"));
  CHECK_FALSE(ok(xmpp_domain("d"), "room@rooms.example.org"));
  CHECK_FALSE(ok(xmpp_domain("d"), "rooms.example.org/x"));
  CHECK(ok(web_origins("o"), "*"));
  CHECK(ok(web_origins("o"), "https://app.example.org, http://localhost:3000"));
  CHECK_FALSE(ok(web_origins("o"), "https://app.example.org/"));
}

TEST_CASE("setting checks: --log-level accepts exactly the levels core knows") {
  for (const std::string& name : log::level_names()) CHECK(mucstream::core::log_level_from_string(name).has_value());
  CHECK(log::level_names().size() == static_cast<std::size_t>(mucstream::core::LogLevel::error) + 1);
  CHECK_FALSE(mucstream::core::log_level_from_string("loud").has_value());
}

TEST_CASE("setting checks: a TOML value of the wrong type is refused, naming the file") {
  const std::string path = write_file("types.toml", "[a]\ncount = \"5\"\n");
  Settings s({{"a.count", "100", ""}});
  parse(s, args({"--config", path.c_str()}));
  CHECK_THROWS_WITH_AS(check_settings(s, {}),
                       ("--a-count (a.count) must be a whole number, 0 or more, written as a TOML integer, got a "
                        "TOML string '5' (from config file " + path + ")").c_str(),
                       SettingsError);
  const std::string good = write_file("good.toml", "[a]\ncount = 5\nrate = 2\n");
  Settings t({{"a.count", "100", ""}, {"a.rate", "1", ""}});
  parse(t, args({"--config", good.c_str()}));
  CHECK_NOTHROW(check_settings(t, {decimal_number("a.rate", 0, 10)}));  // an integer is a fine number
  std::remove(path.c_str());
  std::remove(good.c_str());
}

TEST_CASE("secret files: KEY_file reads the secret, without its line break, and never shows it") {
  const auto specs = with_secret_files({{"jwt.secret", "", "s", true}, {"xmpp.secret", "", "s", true, "--secret"}});
  REQUIRE(specs.size() == 4);
  CHECK(specs[1].key == "jwt.secret_file");
  CHECK(specs[3].alias == "--secret-file");

  const std::string file = write_file("jwt", "s3cret-value\r\n");
  Settings s(specs);
  parse(s, args({"--jwt-secret-file", file.c_str()}));
  check_settings(s, secret_file_rules(specs));
  read_secret_files(s);
  CHECK(s.get("jwt.secret") == "s3cret-value");
  CHECK(secret_warnings(s).empty());

  Settings both(specs);
  parse(both, args({"--secret-file", file.c_str()}), {{"MUCSTREAM_XMPP_SECRET", "other"}});
  CHECK_THROWS_WITH_AS(read_secret_files(both),
                       "--xmpp-secret-file (xmpp.secret_file) and --xmpp-secret (xmpp.secret) are both set; give the "
                       "secret one way only",
                       SettingsError);

  const std::string two_lines = write_file("two", "line one\nline two\n");
  Settings t(specs);
  parse(t, args({"--jwt-secret-file", two_lines.c_str()}));
  try {
    read_secret_files(t);
    FAIL("a two-line secret file was accepted");
  } catch (const SettingsError& e) {
    CHECK(std::string(e.what()).find("one line") != std::string::npos);
    CHECK(std::string(e.what()).find("line one") == std::string::npos);
  }
  const std::string empty = write_file("empty", "\n");
  Settings u(specs);
  parse(u, args({"--jwt-secret-file", empty.c_str()}));
  CHECK_THROWS_AS(read_secret_files(u), SettingsError);

  Settings bad(specs);
  parse(bad, args({"--jwt-secret-file", "/nonexistent/jwt"}));
  CHECK_THROWS_AS(check_settings(bad, secret_file_rules(specs)), SettingsError);
  for (const auto& p : {file, two_lines, empty}) std::remove(p.c_str());
}

TEST_CASE("secret files: a secret on the command line, or a file anyone may read, is warned about") {
  const auto specs = with_secret_files({{"jwt.secret", "", "s", true}, {"pg", "", "pg"}});
  Settings s(specs);
  parse(s, args({"--jwt-secret", "x", "--pg", "host=db password=pw"}));
  const auto w = secret_warnings(s);
  REQUIRE(w.size() == 2);
  CHECK(w[0].find("--jwt-secret on the command line is visible") != std::string::npos);
  CHECK(w[0].find("--jwt-secret-file or MUCSTREAM_JWT_SECRET") != std::string::npos);
  CHECK(w[1].find("--pg holds a password") != std::string::npos);
  CHECK(w[1].find("pw") == std::string::npos);

  Settings e(specs);
  parse(e, args({}), {{"MUCSTREAM_JWT_SECRET", "x"}, {"MUCSTREAM_PG", "host=db password=pw"}});
  CHECK(secret_warnings(e).empty());  // the environment is not shown by ps

  const std::string open = write_file("open", "x\n", 0644);
  Settings f(specs);
  parse(f, args({"--jwt-secret-file", open.c_str()}));
  REQUIRE(secret_warnings(f).size() == 1);
  CHECK(secret_warnings(f)[0].find("readable by every local user") != std::string::npos);
  std::remove(open.c_str());
}

TEST_CASE("settings: --flag= sets an empty value instead of taking the next argument") {
  Settings s({{"a.name", "auto", ""}, {"b.name", "x", ""}});
  parse(s, args({"--a-name=", "--b-name", "y"}));
  CHECK(s.get("a.name").empty());
  CHECK(s.get("b.name") == "y");
}
