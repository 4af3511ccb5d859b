#pragma once
// The bytes a stanza takes on the wire: what the host server counts against its stanza size
// limit. Text and attribute values grow when escaped ('\'' and '"' become six bytes), so a
// limit on the parsed text says little about what a reflection of it will weigh.
#include <cstddef>
#include <string_view>

namespace gloox {
class Tag;
}

namespace mucstream::xmpp {

// Length of `s` once escaped as append_escaped (xml.hpp) escapes it.
std::size_t escaped_size(std::string_view s);
// Length of the tag serialised with every text and attribute value escaped.
std::size_t wire_size(const gloox::Tag& t);

}  // namespace mucstream::xmpp
