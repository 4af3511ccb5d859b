#include "tools/common/log.hpp"

namespace mucstream::tools::log {

void set_level(std::string_view name) {
  if (const auto level = core::log_level_from_string(name)) core::set_log_level(*level);
}

}  // namespace mucstream::tools::log
