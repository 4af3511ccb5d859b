#pragma once
// core::Delivery -> stanza bytes (XEP-0045 presence and messages, XEP-0421 occupant-id,
// XEP-0359 stanza-id, XEP-0203 delay), stanza errors and IQ results.
//
// Fan-out: a delivery to several recipients is rendered once, split around the `to`
// attribute; the Output receives (head, to, tail) per recipient, so only `to` changes and
// nothing is re-rendered per recipient.
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/decision.hpp"
#include "core/error.hpp"
#include "core/state.hpp"
#include "xmpp/decoder.hpp"
#include "xmpp/presence_cache.hpp"

namespace mucstream::xmpp {

class Output {
 public:
  virtual ~Output() = default;
  // One stanza: head + escaped `to` + tail.
  virtual void put(std::string_view head, std::string_view to, std::string_view tail) = 0;
};

// Collects stanzas as whole strings (tests, tools).
class StringOutput final : public Output {
 public:
  void put(std::string_view head, std::string_view to, std::string_view tail) override;
  std::vector<std::string> stanzas;
};

// Issues the token a session presents to POST /v1/telemetry (session id, room id).
using TelemetryTokenSource = std::function<std::string(const std::string& session_id, const std::string& room_id)>;

// Ties rendered messages back to the stanza that caused them: the reflected groupchat
// or private message keeps the sender's id attribute, as clients match their own echo on it.
struct RenderContext {
  std::string origin_id;  // id of the stanza that caused this decision ("" for admin commands)
  // With the service, presences carry <session xmlns='urn:xmpp:mucstream:0'
  // id='…' room-id='…'/>; with a token source, self-presences also carry <telemetry/>.
  const core::Service* service = nullptr;
  const TelemetryTokenSource* telemetry_token = nullptr;
};

class Renderer {
 public:
  explicit Renderer(std::string domain) : domain_(std::move(domain)) {}
  void render(const core::Delivery&, const PresenceCache&, const RenderContext&, Output&) const;
  void render(const core::PresenceOut&, const PresenceCache&, Output&) const;
  void render(const core::PresenceOut&, const PresenceCache&, const RenderContext&, Output&) const;
  void render(const core::MessageOut&, const RenderContext&, Output&) const;

 private:
  std::string domain_;
};

// An error reply to `env` (from/to swapped, same id and kind, XEP-0045 condition and type).
// Presence errors to a room/nick carry the <x xmlns='…/muc'/> element (§7.2.x).
std::string render_error(const Envelope& env, const core::Error&, const std::string& by = {});
// An empty IQ result for `env`, or one with `payload` inside.
std::string render_iq_result(const Envelope& env, std::string_view payload = {});

}  // namespace mucstream::xmpp
