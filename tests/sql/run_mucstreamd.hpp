#pragma once
// Runs the mucstreamd under test (MUCSTREAMD_PATH) to completion, for the tests of its
// one-shot roles (reports --recompute and the like).
#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <utility>
#include <vector>

namespace mucstream::testing {

// Runs mucstreamd with `args`; returns its exit code and what it printed on stdout.
inline std::pair<int, std::string> run_mucstreamd(std::vector<std::string> args) {
  int out[2];
  REQUIRE(::pipe(out) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    std::vector<char*> argv{const_cast<char*>("mucstreamd")};
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(MUCSTREAMD_PATH, argv.data());
    ::_exit(127);
  }
  ::close(out[1]);
  std::string text;
  char buf[512];
  for (ssize_t k; (k = ::read(out[0], buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(k));
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, text};
}

}  // namespace mucstream::testing
