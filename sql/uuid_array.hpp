#pragma once
// A PostgreSQL uuid[] literal ('{a,b,c}') for `= ANY($1::uuid[])` and `NOT IN (SELECT
// unnest($1::uuid[]))`: one parameter whatever the number of ids. The ids are uuids the
// service generated, so nothing in them needs quoting.
#include <string>

namespace mucstream::sql {

template <class Ids>
std::string uuid_array(const Ids& ids) {
  std::string s = "{";
  for (const auto& id : ids) {
    if (s.size() > 1) s += ',';
    s += id;
  }
  return s + "}";
}

}  // namespace mucstream::sql
