#pragma once
// A small service for the XMPP fuzz targets: one unlocked room with an owner, a member and
// a message in its history, built once from stanzas through the real decoder and core, and
// copied for every input so each run starts from the same state (libFuzzer needs runs that
// do not depend on earlier inputs).
#include <gloox/parser.h>
#include <gloox/tag.h>
#include <gloox/taghandler.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "core/counting_ids.hpp"
#include "core/decide.hpp"
#include "xmpp/decoder.hpp"
#include "xmpp/presence_cache.hpp"
#include "xmpp/queries.hpp"
#include "xmpp/renderer.hpp"
#include "xmpp/xml.hpp"

namespace mucstream::fuzz {

inline constexpr const char* kDomain = "rooms.test";

// Password hashing is measured elsewhere; here it only has to be deterministic and cheap.
class CheapCrypto final : public core::Crypto {
 public:
  std::string hash_password(std::string_view p) override { return "h:" + std::string(p); }
  bool verify_password(std::string_view p, std::string_view stored) const override {
    return stored == "h:" + std::string(p);
  }
  std::string hmac_sha256(std::string_view key, std::string_view msg) const override {
    std::string out(32, '\0');
    std::size_t i = 0;
    for (char c : key) out[i++ % 32] ^= c;
    for (char c : msg) out[i++ % 32] += c;
    return out;
  }
};

// Every top-level element of `bytes` (at most `max`), as the component's stream parser
// would hand them over one by one. Stops at the first parse error.
inline std::vector<std::unique_ptr<gloox::Tag>> parse_stanzas(const std::string& bytes, std::size_t max) {
  struct Collector final : gloox::TagHandler {
    std::vector<std::unique_ptr<gloox::Tag>> tags;
    void handleTag(gloox::Tag* t) override { tags.emplace_back(t->clone()); }
  } c;
  gloox::Parser p(&c);
  std::string copy = bytes;
  p.feed(copy);
  if (c.tags.size() > max) c.tags.resize(max);
  return std::move(c.tags);
}

struct World {
  core::ServiceConfig cfg;
  core::Service svc;
  core::CountingIds ids;
  CheapCrypto crypto;
  xmpp::JingleContents jingle;
  xmpp::PresenceCache presence;
  std::int64_t now = 1'700'000'000'000;

  World() { cfg.domain = kDomain; }

  // Decodes one stanza, executes what it asks and renders every reply, as the room loop
  // does. Whatever a client sent, each stanza mucstream renders must be well-formed XML:
  // one that is not would make the XMPP server close the component's stream.
  void handle(const gloox::Tag& t) {
    const std::string domain = cfg.domain;
    xmpp::Decoded d = xmpp::decode(t, xmpp::DecodeContext{domain, svc, &jingle});
    if (d.jingle) jingle.record(*d.jingle);
    xmpp::StringOutput out;
    if (d.error) out.stanzas.push_back(xmpp::render_error(d.env, *d.error));
    if (d.query) out.stanzas.push_back(xmpp::answer_query(d, svc, cfg));
    if (!d.error && !d.ignore && !d.query) {
      const xmpp::Renderer renderer(domain);
      const xmpp::RenderContext rctx{d.env.id, &svc, nullptr};
      for (auto* list : {&d.commands, &d.observations})
        for (const core::Command& c : *list) {
          core::Context ctx{cfg, now, ids, crypto};
          const core::Decision dec = core::execute(svc, c, ctx);
          now += 1000;
          if (dec.error) out.stanzas.push_back(xmpp::render_error(d.env, *dec.error));
          for (const core::Delivery& x : dec.deliveries) renderer.render(x, presence, rctx, out);
        }
    }
    for (const std::string& s : out.stanzas)
      if (!s.empty() && !xmpp::parse_xml(s)) {
        std::fprintf(stderr, "rendered stanza is not well-formed XML:\n%s\n", s.c_str());
        std::abort();
      }
  }

  void handle(const std::string& xml) {
    auto t = xmpp::parse_xml(xml);
    if (!t) std::abort();  // a broken seed stanza: the target would fuzz an empty world
    handle(*t);
  }

  // room@rooms.test: alice (owner), bob (member, in the room), one message in history.
  static const World& seeded() {
    static const World w = [] {
      World s;
      s.handle("<presence from='alice@example.com/desk' to='room@rooms.test/alice'>"
               "<x xmlns='http://jabber.org/protocol/muc'/></presence>");
      s.handle("<iq type='set' id='c1' from='alice@example.com/desk' to='room@rooms.test'>"
               "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/>"
               "</query></iq>");
      s.handle("<presence from='bob@example.com/phone' to='room@rooms.test/bob'>"
               "<x xmlns='http://jabber.org/protocol/muc'/></presence>");
      s.handle("<iq type='set' id='a1' from='alice@example.com/desk' to='room@rooms.test'>"
               "<query xmlns='http://jabber.org/protocol/muc#admin'><item jid='bob@example.com' "
               "affiliation='member'/></query></iq>");
      s.handle("<message type='groupchat' from='bob@example.com/phone' to='room@rooms.test'>"
               "<body>hello</body></message>");
      const core::Room* r = s.svc.find("room@rooms.test");
      if (r == nullptr || r->occupant_by_nick("bob") == nullptr) std::abort();
      return s;
    }();
    return w;
  }
};

}  // namespace mucstream::fuzz
