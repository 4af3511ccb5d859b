#pragma once
// RapidJSON plumbing shared by the files of events/ that write or read JSON (json_value.cpp,
// event_codec.cpp, envelope.cpp). Internal to events/: other folders use json_value.hpp,
// event_codec.hpp and envelope.hpp, which do not expose RapidJSON.
#include <rapidjson/document.h>
#include <rapidjson/writer.h>

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "core/config.hpp"
#include "core/event_data.hpp"
#include "core/value.hpp"

namespace mucstream::events::detail {

// RapidJSON output stream appending to a std::string (no intermediate buffer copy).
struct StringOut {
  using Ch = char;
  std::string& s;
  void Put(char c) { s.push_back(c); }
  void Flush() {}
};
using Writer = rapidjson::Writer<StringOut, rapidjson::UTF8<>, rapidjson::UTF8<>, rapidjson::CrtAllocator,
                                 rapidjson::kWriteNanAndInfFlag>;

inline void write_string(Writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}
void write_value(Writer& w, const core::Value& v);

// Converts a RapidJSON value at nesting `depth` (named `path` in messages); nullopt with
// `err` on what PostgreSQL could not store (NUL characters, nesting deeper than 64).
std::optional<core::Value> to_value(const rapidjson::Value& j, int depth, std::string& err, const std::string& path);
bool has_nul(const char* s, rapidjson::SizeType n);
// Well-formed UTF-8 (no surrogates, overlong forms or code points above U+10FFFF). Needed
// after parsing even with kParseValidateEncodingFlag: RapidJSON 1.1.0 decodes a lone low
// surrogate escape ("\udc00") into the three bytes of a surrogate, which PostgreSQL refuses.
bool valid_utf8(const char* s, rapidjson::SizeType n);
// "a string", "an array", … for messages.
const char* json_type_name(const rapidjson::Value& v);
// A document whose memory comes from a per-thread buffer first: RapidJSON's pool otherwise
// mallocs (and frees) a 64 KiB chunk per document, which dominated decoding a million small
// events. One at a time per thread: never parse into a second one while the first is alive.
class PooledDocument {
 public:
  // RapidJSON places its chunk header and every value at the start of the buffer: it must be
  // aligned like the pointers and sizes stored there (a char array alone may sit anywhere).
  struct alignas(std::max_align_t) Buffer {
    std::array<char, 32 * 1024> bytes;
  };
  PooledDocument() : pool_(buffer().bytes.data(), buffer().bytes.size()), doc_(&pool_) {}
  rapidjson::Document& doc() { return doc_; }

 private:
  static Buffer& buffer() {
    thread_local Buffer b;
    return b;
  }
  rapidjson::MemoryPoolAllocator<> pool_;
  rapidjson::Document doc_;
};

// Parses with the flags every reader here uses; false with a message on malformed JSON.
bool parse(rapidjson::Document& doc, std::string_view json, std::string& err);

// The event codec (event_codec.cpp): `d` as the `data` object.
void write_data(Writer& w, const core::EventData& d);
// A room configuration as the events carry it (room_created, room_configured), so that room
// snapshots spell its keys the same way: written as an object, read tolerantly from one.
void write_config(Writer& w, const core::RoomConfig& c);
core::RoomConfig read_config(core::Value object);

}  // namespace mucstream::events::detail
