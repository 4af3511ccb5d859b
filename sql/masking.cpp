#include "sql/masking.hpp"

namespace mucstream::sql {
namespace {

// 96 bits of the digest: no collision among any realistic number of rooms, and short
// enough to read in a table.
constexpr std::size_t kHexDigits = 24;

}  // namespace

RoomMask::RoomMask(std::function<std::string(std::string_view)> keyed_hash) : keyed_hash_(std::move(keyed_hash)) {}

std::string RoomMask::hashed(char kind, std::string_view text) const {
  // The kind is part of the message: a title equal to a room's local part masks differently.
  std::string message(1, kind);
  message += ':';
  message += text;
  const std::string digest = keyed_hash_(message);
  static const char* hex = "0123456789abcdef";
  std::string out{kind, '-'};
  for (std::size_t i = 0; i < digest.size() && out.size() < kHexDigits + 2; ++i) {
    const auto b = static_cast<unsigned char>(digest[i]);
    out += hex[b >> 4];
    out += hex[b & 0x0f];
  }
  return out;
}

std::string RoomMask::room_jid(std::string_view bare_jid) const {
  const auto at = bare_jid.find('@');
  if (at == std::string_view::npos) return hashed('r', bare_jid);  // not a room JID: all of it
  // The whole JID is hashed (a name on two domains masks apart); the domain is kept readable.
  return hashed('r', bare_jid) + std::string(bare_jid.substr(at));
}

void RoomMask::apply(core::Event& e) const {
  e.room = room_jid(e.room);
  const auto config = [this](core::RoomConfig& c) {
    if (!c.name.empty()) c.name = hashed('t', c.name);
    if (!c.description.empty()) c.description = hashed('d', c.description);
  };
  if (auto* created = std::get_if<core::data::RoomCreated>(&e.data)) config(created->config);
  if (auto* configured = std::get_if<core::data::RoomConfigured>(&e.data)) config(configured->config);
  if (auto* destroyed = std::get_if<core::data::RoomDestroyed>(&e.data))
    if (!destroyed->alternate.empty()) destroyed->alternate = room_jid(destroyed->alternate);
}

}  // namespace mucstream::sql
