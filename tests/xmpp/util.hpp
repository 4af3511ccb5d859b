#pragma once
#include <gloox/tag.h>

#include <memory>
#include <string>

#include "tests/core/support.hpp"
#include "xmpp/decoder.hpp"
#include "xmpp/xml.hpp"

namespace mucstream::xmpp::testing {

inline constexpr const char* kDomain = "rooms.test";

inline std::unique_ptr<gloox::Tag> xml(const std::string& s) {
  auto t = parse_xml(s);
  REQUIRE_MESSAGE(t != nullptr, "not well-formed: " << s);
  return t;
}

inline Decoded decode_str(const std::string& s, const core::Service& svc = {}) {
  static const std::string domain = kDomain;
  auto t = xml(s);
  return decode(*t, DecodeContext{domain, svc});
}

inline bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace mucstream::xmpp::testing
