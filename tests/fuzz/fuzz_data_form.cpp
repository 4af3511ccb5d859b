// A jabber:x:data form (muc#roomconfig, as an owner submits it) -> decode_config_form ->
// the core's configure decision on the seeded room. The input is the <x/> element alone; it
// is sent as the owner's IQ the way the decoder reads it, and also read directly so forms
// the IQ path refuses early still reach decode_config_form.
#include <gloox/tag.h>

#include <cstddef>
#include <cstdint>

#include "tests/fuzz/world.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return -1;
  using mucstream::fuzz::World;
  const std::string form(reinterpret_cast<const char*>(data), size);
  auto x = mucstream::xmpp::parse_xml(form);
  if (!x) return 0;

  mucstream::core::ConfigChange change;
  (void)mucstream::xmpp::decode_config_form(*x, change);

  auto* iq = new gloox::Tag("iq");
  iq->addAttribute("type", "set");
  iq->addAttribute("id", "f1");
  iq->addAttribute("from", "alice@example.com/desk");
  iq->addAttribute("to", "room@rooms.test");
  auto* query = new gloox::Tag(iq, "query");
  query->setXmlns("http://jabber.org/protocol/muc#owner");
  query->addChild(x.release());
  std::unique_ptr<gloox::Tag> owned(iq);
  World w = World::seeded();
  w.handle(*owned);
  // A join after the change meets the new configuration (limits, password, members only).
  w.handle("<presence from='carol@example.com/r' to='room@rooms.test/carol'>"
           "<x xmlns='http://jabber.org/protocol/muc'><history maxstanzas='5'/></x></presence>");
  return 0;
}
