#include "xmpp/xml.hpp"

#include <gloox/parser.h>
#include <gloox/tag.h>
#include <gloox/taghandler.h>

#include <cstdio>

namespace mucstream::xmpp {

void append_escaped(std::string& out, std::string_view s) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char* rep = nullptr;
    switch (s[i]) {
      case '&': rep = "&amp;"; break;
      case '<': rep = "&lt;"; break;
      case '>': rep = "&gt;"; break;
      case '\'': rep = "&apos;"; break;
      case '"': rep = "&quot;"; break;
      default: continue;
    }
    out.append(s.substr(start, i - start));
    out.append(rep);
    start = i + 1;
  }
  out.append(s.substr(start));
}

void append_attr(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "='";
  append_escaped(out, value);
  out += '\'';
}

std::string escaped(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  append_escaped(out, s);
  return out;
}

const gloox::Tag* child(const gloox::Tag& t, const std::string& name, const char* xmlns) {
  for (const gloox::Tag* c : t.children())
    if (c->name() == name && c->xmlns() == xmlns) return c;
  return nullptr;
}

const gloox::Tag* child(const gloox::Tag& t, const std::string& name) {
  for (const gloox::Tag* c : t.children())
    if (c->name() == name) return c;
  return nullptr;
}

std::string stanza_error_condition(const gloox::Tag& stanza) {
  const gloox::Tag* e = child(stanza, "error");
  if (e == nullptr) return {};
  for (const gloox::Tag* c : e->children())
    if (c->xmlns() == ns::kStanzas && c->name() != "text") return c->name();
  return {};
}

namespace {
struct Collector final : gloox::TagHandler {
  std::unique_ptr<gloox::Tag> tag;
  int count = 0;
  void handleTag(gloox::Tag* t) override {
    ++count;
    tag.reset(t->clone());
  }
};
}  // namespace

std::unique_ptr<gloox::Tag> parse_xml(const std::string& text) {
  Collector c;
  gloox::Parser p(&c);
  std::string copy = text;
  if (p.feed(copy) >= 0 || c.count != 1) return nullptr;
  return std::move(c.tag);
}

std::string children_xml(const gloox::Tag& t, const std::function<bool(const gloox::Tag&)>& keep) {
  std::string out;
  for (const gloox::Tag* c : t.children())
    if (keep(*c)) out += c->xml();
  return out;
}

std::size_t approx_size(const gloox::Tag& t) {
  std::size_t n = 2 * t.name().size() + 5;
  for (const gloox::Tag::Attribute* a : t.attributes()) n += a->name().size() + a->value().size() + 4;
  for (const gloox::Tag* c : t.children()) n += approx_size(*c);
  return n + t.cdata().size();  // text nodes, concatenated
}

}  // namespace mucstream::xmpp
