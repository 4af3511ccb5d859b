#include "xmpp/wire_size.hpp"

#include <gloox/tag.h>

namespace mucstream::xmpp {

std::size_t escaped_size(std::string_view s) {
  std::size_t n = s.size();
  for (char c : s) {
    switch (c) {
      case '&': n += 4; break;
      case '<':
      case '>': n += 3; break;
      case '\'':
      case '"': n += 5; break;
      default: break;
    }
  }
  return n;
}

std::size_t wire_size(const gloox::Tag& t) {
  // <prefix:name attrs>children</prefix:name>, or <name/> when empty.
  const std::size_t name = t.name().size() + (t.prefix().empty() ? 0 : t.prefix().size() + 1);
  std::size_t n = 1 + name;
  if (!t.xmlns().empty() && t.prefix().empty() && t.findAttribute("xmlns").empty())
    n += 9 + escaped_size(t.xmlns());  // " xmlns=''"
  for (const gloox::Tag::Attribute* a : t.attributes()) {
    const std::size_t aname = a->name().size() + (a->prefix().empty() ? 0 : a->prefix().size() + 1);
    n += aname + 4 + escaped_size(a->value());  // " a=''"
  }
  const gloox::TagList& kids = t.children();
  const std::string cdata = t.cdata();
  if (kids.empty() && cdata.empty()) return n + 2;  // "/>"
  n += 1 + escaped_size(cdata);
  for (const gloox::Tag* c : kids) n += wire_size(*c);
  return n + 3 + name;  // "</name>"
}

}  // namespace mucstream::xmpp
