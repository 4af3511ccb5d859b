#pragma once
// The request target as a client sends it: percent-decoding of the path, and the query
// string read into name/value pairs. Pure functions (no I/O), shared by the HTTP server and
// its tests.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace mucstream::analytics {

// %XX decoding (and '+' as a space in a query string); nullopt for a broken escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

// "a=1&b=x%20y" -> {a:"1", b:"x y"}; "a" alone -> {a:""}; empty pieces skipped. A name given
// twice keeps both values (Query refuses that with a 400 naming it). nullopt for a broken escape.
std::optional<std::multimap<std::string, std::string>> parse_query(std::string_view query);

}  // namespace mucstream::analytics
