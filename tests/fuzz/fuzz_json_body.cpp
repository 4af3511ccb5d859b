// An HTTP request body as the admin and telemetry routes read it: the nesting guard first,
// then RapidJSON (iterative, as the routes parse), then the conversion to core::Value the
// telemetry data goes through, and back to JSON text.
#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "analytics/json_in.hpp"
#include "analytics/params.hpp"
#include "events/json_value.hpp"
#include "events/rapidjson_value.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 256 * 1024) return -1;
  const std::string body(reinterpret_cast<const char*>(data), size);
  try {
    mucstream::analytics::check_body_nesting(body);
  } catch (const mucstream::analytics::ParamError&) {
    return 0;  // refused with 400 before any parser sees it
  }
  rapidjson::Document doc;
  doc.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(body.c_str(), body.size());
  if (doc.HasParseError()) return 0;
  mucstream::events::JsonRefusal why;
  const auto value = mucstream::events::value_from_json(doc, "body", &why);
  if (!value) return 0;
  // What was accepted is stored as JSON text and read back by the API: it must parse again
  // to the same value.
  const std::string text = mucstream::events::encode_value(*value);
  std::string error;
  const auto again = mucstream::events::decode_value(text, &error);
  if (!again || mucstream::events::encode_value(*again) != text) {
    std::fprintf(stderr, "value round trip failed (%s): %s\n", error.c_str(), text.c_str());
    std::abort();
  }
  return 0;
}
