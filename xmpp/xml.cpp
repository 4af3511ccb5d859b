#include "xmpp/xml.hpp"

#include <gloox/parser.h>
#include <gloox/tag.h>
#include <gloox/taghandler.h>

#include <cstdio>
#include <ctime>

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

std::string format_datetime(std::int64_t unix_ms) {
  std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(unix_ms % 1000));
  return buf;
}

std::optional<std::int64_t> parse_datetime(std::string_view s) {
  // CCYY-MM-DDThh:mm:ss[.sss](Z|(+|-)hh:mm)
  auto digits = [&](std::size_t pos, std::size_t n) -> std::optional<int> {
    if (pos + n > s.size()) return std::nullopt;
    int v = 0;
    for (std::size_t i = pos; i < pos + n; ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':') return std::nullopt;
  auto Y = digits(0, 4), M = digits(5, 2), D = digits(8, 2), h = digits(11, 2), m = digits(14, 2), sec = digits(17, 2);
  if (!Y || !M || !D || !h || !m || !sec || *M < 1 || *M > 12 || *D < 1 || *D > 31 || *h > 23 || *m > 59 || *sec > 60)
    return std::nullopt;
  std::size_t pos = 19;
  int ms = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int scale = 100;
    std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      ms += (s[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  int offset_min = 0;
  if (pos < s.size() && s[pos] == 'Z') {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    auto oh = digits(pos + 1, 2), om = digits(pos + 4, 2);
    if (!oh || !om || pos + 3 >= s.size() || s[pos + 3] != ':') return std::nullopt;
    offset_min = (*oh * 60 + *om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  std::tm tm{};
  tm.tm_year = *Y - 1900;
  tm.tm_mon = *M - 1;
  tm.tm_mday = *D;
  tm.tm_hour = *h;
  tm.tm_min = *m;
  tm.tm_sec = *sec;
  const std::int64_t t = static_cast<std::int64_t>(timegm(&tm));
  return (t - offset_min * 60) * 1000 + ms;
}

}  // namespace mucstream::xmpp
