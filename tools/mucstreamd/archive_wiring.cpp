#include "tools/mucstreamd/archive_wiring.hpp"

namespace mucstream::tools {

sql::ArchiveReaderConfig archive_reader_config(const Settings& s, const std::string& pg) {
  sql::ArchiveReaderConfig c;
  c.pg = pg;
  c.max_page = static_cast<std::uint32_t>(s.get_int("archive.max_page"));
  c.threads = static_cast<std::uint32_t>(s.get_int("archive.reader_threads"));
  c.catch_up_timeout_ms = s.get_int("archive.catch_up_timeout_ms");
  return c;
}

std::unique_ptr<sql::PgArchiveReader> archive_reader_if_configured(const Settings& s) {
  const std::string& pg = s.get("pg");
  if (pg.empty()) return nullptr;
  return std::make_unique<sql::PgArchiveReader>(archive_reader_config(s, pg));
}

}  // namespace mucstream::tools
