// mucctl's table and CSV rendering.
#include <doctest/doctest.h>

#include "tools/mucctl/output.hpp"

using namespace mucstream::tools::mucctl;

TEST_CASE("mucctl output: tables align columns, count UTF-8 as characters, show empty cells as -") {
  Table t{{"NAME", "N"}, {{"zoë", "1"}, {"a", ""}, {"longer name", "100"}}};
  CHECK(render_table(t) ==
        "NAME         N\n"
        "zoë          1\n"
        "a            -\n"
        "longer name  100\n");
}

TEST_CASE("mucctl output: CSV quotes what needs quoting and doubles quotes") {
  Table t{{"a", "b"}, {{"plain", "with,comma"}, {"say \"hi\"", "two\nlines"}, {"", "x"}}};
  CHECK(render_csv(t) == "a,b\nplain,\"with,comma\"\n\"say \"\"hi\"\"\",\"two\nlines\"\n,x\n");
  CHECK(render_csv(t, false).rfind("plain", 0) == 0);
}

TEST_CASE("mucctl output: a record renders vertically") {
  CHECK(render_table(vertical({"id", "name"}, {"1", "standup"})) == "FIELD  VALUE\nid     1\nname   standup\n");
}
