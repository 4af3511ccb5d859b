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

int run_api(const Settings&) { return pending("api", "issue 5"); }

}  // namespace mucstream::tools
