#pragma once
// Running the real mucctl binary (MUCCTL_BINARY) against an HTTP server whose admin routes
// drive a real core room loop, for the mucctl test files.
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "analytics/admin.hpp"
#include "core_loop.hpp"
#include "http_support.hpp"

namespace mucstream::analytics::testing {

struct MucctlRun {
  int status = -1;
  std::string out, err;
};

// Runs mucctl with `args` (already shell-quoted where needed) after `env` (an env(1) prefix).
inline MucctlRun run_mucctl(const std::string& env, const std::string& args) {
  const std::string err_file = "/tmp/mucctl-test-" + std::to_string(::getpid()) + ".err";
  const std::string cmd = env + " " + MUCCTL_BINARY + " " + args + " 2>" + err_file;
  MucctlRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, n);
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  std::ifstream e(err_file);
  std::stringstream ss;
  ss << e.rdbuf();
  r.err = ss.str();
  std::remove(err_file.c_str());
  return r;
}

// A room loop behind the admin routes, and the environment that points mucctl at it with
// an admin token. `clock_ms`: what destroy-unused counts days back from.
struct MucctlFixture {
  Loop loop;
  Running srv{nullptr};
  std::string env;
  explicit MucctlFixture(std::function<std::int64_t()> clock_ms = {}) {
    AdminOptions o;
    o.domain = "rooms.localhost";
    o.inspect = [this](std::function<void(const core::Service&)> read) { loop.inspect(std::move(read)); };
    o.clock_ms = std::move(clock_ms);
    add_admin_routes(
        *srv.server,
        [this](core::Command c, std::function<void(const core::Decision&)> d) { loop.submit(std::move(c), std::move(d)); },
        o);
    const int port = srv.start();
    env = "env -u MUCCTL_CONFIG HOME=/nonexistent MUCCTL_URL=http://127.0.0.1:" + std::to_string(port) +
          " MUCCTL_TOKEN=" + create_token(kSecret, Role::admin, 3600, unix_now(), "ops");
  }
  MucctlRun operator()(const std::string& args) { return run_mucctl(env, args); }
  core::Decision run(core::Command c) { return loop.run(std::move(c)); }
};

}  // namespace mucstream::analytics::testing
