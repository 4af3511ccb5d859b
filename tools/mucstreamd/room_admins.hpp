#pragma once
// rooms.admins: the bare JIDs that may create rooms by joining while rooms.only_admins_create
// is on. Read at start-up validation (exit 2 on a bad entry) and when the component is built.
#include <string>
#include <vector>

#include "tools/common/settings.hpp"

namespace mucstream::tools {

// "a@x, b@y" -> the normalised bare JIDs; SettingsError naming the setting for an entry that
// is not a bare JID with a local part.
std::vector<std::string> room_admins(const Settings& s);

}  // namespace mucstream::tools
