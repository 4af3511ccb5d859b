#include "analytics/json_in.hpp"

#include <string>

#include "analytics/params.hpp"

namespace mucstream::analytics {

void check_body_nesting(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth)
        throw ParamError("body", "nested deeper than " + std::to_string(max_depth) + " levels");
    } else if (c == ']' || c == '}') --depth;
  }
}

}  // namespace mucstream::analytics
