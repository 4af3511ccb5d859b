#include "tools/mucstreamd/room_admins.hpp"

#include <variant>

#include "core/jid.hpp"

namespace mucstream::tools {

std::vector<std::string> room_admins(const Settings& s) {
  std::vector<std::string> out;
  const std::string& text = s.get("rooms.admins");
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(start, end - start);
    start = end + 1;
    const auto b = item.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    const std::string entry = item.substr(b, item.find_last_not_of(" \t") - b + 1);
    const auto parsed = core::Jid::parse(entry);
    const core::Jid* j = std::get_if<core::Jid>(&parsed);
    if (j == nullptr || !j->is_bare() || j->node().empty())
      throw SettingsError(Settings::flag_for("rooms.admins") + " (rooms.admins) takes comma-separated bare JIDs " +
                          "(user@host), got '" + entry + "'");
    out.push_back(j->bare());
  }
  return out;
}

}  // namespace mucstream::tools
