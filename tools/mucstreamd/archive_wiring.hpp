#pragma once
// The room archive for mucstreamd roles that run rooms: a PostgreSQL archive reader built
// from the archive.* settings, handed to the RoomService. `all` always has one; a split
// deployment's `component` has one only when --pg is set (without it rooms have no archive
// and do not advertise one).
#include <memory>

#include "sql/pg_archive_reader.hpp"
#include "tools/common/settings.hpp"

namespace mucstream::tools {

sql::ArchiveReaderConfig archive_reader_config(const Settings& s, const std::string& pg);

// A reader on --pg, or null when --pg is not set.
std::unique_ptr<sql::PgArchiveReader> archive_reader_if_configured(const Settings& s);

// Hands the reader to the room service. Written against RoomService::set_archive_reader
// (the XEP-0313 side of the rooms); compiled to nothing on a RoomService without it.
template <class Service>
void attach_archive_reader(Service& service, core::ArchiveReader* reader) {
  if constexpr (requires { service.set_archive_reader(reader); }) service.set_archive_reader(reader);
}

}  // namespace mucstream::tools
