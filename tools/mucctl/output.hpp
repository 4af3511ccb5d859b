#pragma once
// mucctl's three output forms: aligned human tables (default), CSV (RFC 4180) and JSON.
#include <string>
#include <vector>

namespace mucstream::tools::mucctl {

enum class Format { table, json, csv };

struct Table {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;
};

// Columns padded to their widest cell, two spaces apart, header first; empty cells show "-".
std::string render_table(const Table& t);
// Header line then one line per row (LF line ends); fields with , " CR or LF are quoted and
// their quotes doubled, as RFC 4180 says.
std::string render_csv(const Table& t, bool header = true);
std::string csv_field(const std::string& v);
// A vertical table (FIELD / VALUE) of one record.
Table vertical(const std::vector<std::string>& fields, const std::vector<std::string>& values);

}  // namespace mucstream::tools::mucctl
