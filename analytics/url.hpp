#pragma once
// The request target as a client sends it: percent-decoding of the path, the query string
// read into name/value pairs, and matching against a route template. Pure functions (no I/O), shared by the HTTP server and
// its tests.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mucstream::analytics {

// %XX decoding (and '+' as a space in a query string); nullopt for a broken escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

// "a=1&b=x%20y" -> {a:"1", b:"x y"}; "a" alone -> {a:""}; empty pieces skipped. A name given
// twice keeps both values (Query refuses that with a 400 naming it). nullopt for a broken escape.
std::optional<std::multimap<std::string, std::string>> parse_query(std::string_view query);

// Does `path` match the OpenAPI-style route `tmpl` ({name} = one non-empty segment)? The
// {…} segments go to `params`, in order, when given.
bool route_matches(std::string_view tmpl, std::string_view path, std::vector<std::string>* params = nullptr);

}  // namespace mucstream::analytics
