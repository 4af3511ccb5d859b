#include "xmpp/lifecycle_decode.hpp"

#include <gloox/tag.h>

#include "xmpp/xml.hpp"

namespace mucstream::xmpp {
namespace {

std::string reason_in(const gloox::Tag& t) {
  for (const gloox::Tag* c : t.children())
    if (c->name() == "reason") return c->cdata();
  return {};
}

// <moderate xmlns=ns> holding a retraction of namespace retract_ns, for message `id`.
std::variant<RetractRequest, core::Error> moderation(const gloox::Tag& moderate, const char* retract_ns, std::string id) {
  if (child(moderate, "retract", retract_ns) == nullptr)
    return core::make_error(core::ErrorCondition::feature_not_implemented, "Only retraction is supported as moderation");
  return RetractRequest{std::move(id), true, reason_in(moderate)};
}

}  // namespace

std::optional<std::string> client_id_of(const gloox::Tag& message) {
  if (const gloox::Tag* o = child(message, "origin-id", ns::kSid)) {
    const std::string& id = o->findAttribute("id");
    if (!id.empty()) return id;
  }
  const std::string& id = message.findAttribute("id");
  if (!id.empty()) return id;
  return std::nullopt;
}

std::optional<std::string> replaced_id(const gloox::Tag& message) {
  if (const gloox::Tag* r = child(message, "replace", ns::kCorrect)) return r->findAttribute("id");
  return std::nullopt;
}

std::optional<RetractRequest> retract_in_message(const gloox::Tag& message) {
  if (const gloox::Tag* r = child(message, "retract", ns::kRetract)) return RetractRequest{r->findAttribute("id"), false, {}};
  if (const gloox::Tag* r = child(message, "retract", ns::kRetract0); r != nullptr && r->hasAttribute("id"))
    return RetractRequest{r->findAttribute("id"), false, {}};
  if (const gloox::Tag* a = child(message, "apply-to", ns::kFasten)) {
    if (child(*a, "retract", ns::kRetract0) != nullptr) return RetractRequest{a->findAttribute("id"), false, {}};
    if (const gloox::Tag* m = child(*a, "moderate", ns::kModerate0); m != nullptr && child(*m, "retract", ns::kRetract0))
      return RetractRequest{a->findAttribute("id"), true, reason_in(*m)};
  }
  return std::nullopt;
}

std::optional<std::variant<RetractRequest, core::Error>> moderation_iq(const gloox::Tag& q) {
  if (q.name() == "moderate" && q.xmlns() == ns::kModerate) return moderation(q, ns::kRetract, q.findAttribute("id"));
  if (q.name() == "apply-to" && q.xmlns() == ns::kFasten) {
    if (const gloox::Tag* m = child(q, "moderate", ns::kModerate0)) return moderation(*m, ns::kRetract0, q.findAttribute("id"));
  }
  return std::nullopt;
}

}  // namespace mucstream::xmpp
