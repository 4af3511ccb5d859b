#include "tools/mucctl/output.hpp"

#include <algorithm>

namespace mucstream::tools::mucctl {
namespace {
// Display width in code points (UTF-8 continuation bytes do not count).
std::size_t width(const std::string& s) {
  std::size_t w = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++w;
  return w;
}
}  // namespace

std::string render_table(const Table& t) {
  std::vector<std::size_t> w(t.columns.size(), 0);
  auto cell = [](const std::string& v) { return v.empty() ? std::string("-") : v; };
  for (std::size_t i = 0; i < t.columns.size(); ++i) w[i] = width(t.columns[i]);
  for (const auto& r : t.rows)
    for (std::size_t i = 0; i < r.size() && i < w.size(); ++i) w[i] = std::max(w[i], width(cell(r[i])));
  std::string out;
  auto line = [&](const std::vector<std::string>& cells, bool header) {
    std::string l;
    for (std::size_t i = 0; i < w.size(); ++i) {
      const std::string v = i < cells.size() ? (header ? cells[i] : cell(cells[i])) : "-";
      l += v;
      if (i + 1 < w.size()) l += std::string(w[i] - width(v) + 2, ' ');
    }
    out += l + "\n";
  };
  line(t.columns, true);
  for (const auto& r : t.rows) line(r, false);
  return out;
}

std::string csv_field(const std::string& v) {
  if (v.find_first_of(",\"\r\n") == std::string::npos) return v;
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string render_csv(const Table& t, bool header) {
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t i = 0; i < cells.size(); ++i) out += (i ? "," : "") + csv_field(cells[i]);
    out += "\n";
  };
  if (header) line(t.columns);
  for (const auto& r : t.rows) line(r);
  return out;
}

Table vertical(const std::vector<std::string>& fields, const std::vector<std::string>& values) {
  Table t;
  t.columns = {"FIELD", "VALUE"};
  for (std::size_t i = 0; i < fields.size(); ++i) t.rows.push_back({fields[i], i < values.size() ? values[i] : ""});
  return t;
}

}  // namespace mucstream::tools::mucctl
