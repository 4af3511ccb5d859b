// Roles whose issues have not landed yet say so plainly instead of pretending to run.
// Each is replaced by its own role_<name>.cpp as the issue that builds it lands.
#include <cstdio>

#include "tools/mucstreamd/roles.hpp"

namespace mucstream::tools {
namespace {
int pending(const char* role, const char* issue) {
  std::fprintf(stderr, "mucstreamd %s: not built yet (%s)\n", role, issue);
  return 3;
}
}  // namespace

int run_component(const Settings&) { return pending("component", "issue 3"); }
int run_materialize(const Settings&) { return pending("materialize", "issue 4"); }
int run_all(const Settings&) { return pending("all", "issues 3-5"); }
int run_migrate(const Settings&) { return pending("migrate", "issue 4"); }

}  // namespace mucstream::tools
