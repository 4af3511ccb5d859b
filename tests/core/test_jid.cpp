#include "support.hpp"

using namespace mucstream::core;
using testing::jid;

TEST_CASE("jid: parse bare and full, format back") {
  Jid j = jid("alice@example.com/phone");
  CHECK(j.node() == "alice");
  CHECK(j.domain() == "example.com");
  CHECK(j.resource() == "phone");
  CHECK(j.bare() == "alice@example.com");
  CHECK(j.full() == "alice@example.com/phone");
  CHECK_FALSE(j.is_bare());
  CHECK(jid("example.com").bare() == "example.com");
  CHECK(jid("example.com/res").full() == "example.com/res");
  // RFC 6122: the resource may contain '@' and '/'.
  Jid odd = jid("room@rooms.example/a@b/c");
  CHECK(odd.node() == "room");
  CHECK(odd.resource() == "a@b/c");
}

TEST_CASE("jid: normalisation makes differently cased addresses equal") {
  CHECK(jid("Alice@Rooms.Example/Nick") == jid("alice@rooms.example/Nick"));
  CHECK(jid("Alice@Rooms.Example/Nick").full() == "alice@rooms.example/Nick");
  // The resource keeps its case (resourceprep does not fold).
  CHECK(jid("a@b/Nick") != jid("a@b/nick"));
  // Non-ASCII goes through stringprep: the German sharp s folds to "ss" in nodeprep,
  // and a fullwidth domain maps to ASCII under nameprep.
  CHECK(jid("STRASSE@example.com").node() == "strasse");
  CHECK(jid("Stra\xc3\x9f" "e@example.com").node() == "strasse");
  CHECK(jid("a@\xef\xbd\x85xample.com").domain() == "example.com");
  CHECK(jid("a@example.com.").domain() == "example.com");
}

TEST_CASE("jid: invalid addresses are rejected with a typed error") {
  auto err = [](std::string_view s) {
    auto r = Jid::parse(s);
    REQUIRE(std::holds_alternative<JidError>(r));
    return std::get<JidError>(r);
  };
  CHECK(err("") == JidError::empty);
  CHECK(err("@example.com") == JidError::empty_node);
  CHECK(err("user@") == JidError::empty_domain);
  CHECK(err("user@example.com/") == JidError::empty_resource);
  CHECK(err("us\"er@example.com") == JidError::invalid_node);
  CHECK(err("us er@example.com") == JidError::invalid_node);
  CHECK(err("us<er@example.com") == JidError::invalid_node);
  CHECK(err("user@exa mple.com") == JidError::invalid_domain);
  CHECK(err("user@-.com..") == JidError::invalid_domain);
  CHECK(err("user@example.com/nick\x07") == JidError::invalid_resource);
  CHECK(err(std::string(1024, 'a') + "@example.com") == JidError::too_long);
  CHECK(err("user@example.com/" + std::string(1024, 'r')) == JidError::too_long);
  CHECK(err("\xff\xfe@example.com") == JidError::invalid_node);  // not UTF-8
  CHECK(describe(JidError::invalid_node) != std::string());
}

TEST_CASE("jid: nicknames") {
  auto ok = [](std::string_view s) {
    auto r = prepare_nick(s);
    REQUIRE(std::holds_alternative<std::string>(r));
    return std::get<std::string>(r);
  };
  auto bad = [](std::string_view s) {
    auto r = prepare_nick(s);
    REQUIRE(std::holds_alternative<JidError>(r));
    return std::get<JidError>(r);
  };
  CHECK(ok("Alice") == "Alice");
  CHECK(ok("Bob the Builder") == "Bob the Builder");
  CHECK(ok("Jos\xc3\xa9") == "Jos\xc3\xa9");
  CHECK(bad("") == JidError::empty_resource);
  CHECK(bad("   ") == JidError::invalid_resource);
  CHECK(bad("tab\there") == JidError::invalid_resource);
  CHECK(bad("nul\x01") == JidError::invalid_resource);
  CHECK(bad(std::string(1100, 'n')) == JidError::too_long);
  CHECK(bad("bidi\xe2\x80\x8e") == JidError::invalid_resource);  // U+200E LRM is prohibited
}
