#include "analytics/routes_privacy.hpp"

#include <variant>

#include "analytics/json.hpp"
#include "analytics/params.hpp"
#include "core/jid.hpp"

namespace mucstream::analytics {
namespace {

// The {jid} segment as a normalised bare JID with a local part (a person, not a domain).
std::string bare_person(const std::string& text) {
  const auto parsed = core::Jid::parse(text);
  if (const auto* error = std::get_if<core::JidError>(&parsed))
    throw ParamError("jid", std::string("not a JID: ") + core::describe(*error));
  const core::Jid& jid = std::get<core::Jid>(parsed);
  if (!jid.is_bare() || jid.node().empty())
    throw ParamError("jid", "must be a person's bare JID such as alice@example.org");
  return jid.bare();
}

// The route takes no options: an empty body or an empty JSON object.
void check_no_body(const std::string& body) {
  std::string compact;
  for (char c : body)
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') compact += c;
  if (!compact.empty() && compact != "{}") throw ParamError("body", "must be empty or {} (this route takes no options)");
}

}  // namespace

void add_privacy_routes(HttpServer& server, PrivacyOptions options) {
  server.route("POST", "/v1/admin/users/{jid}/forget", Access::admin,
               [forget = std::move(options.forget)](HttpRequest& req, HttpResponse& res) {
                 // Forgetting reaches every row that names the person, in every tenant.
                 if (req.principal && !req.principal->tenant.empty())
                   throw HttpError(403,
                                   "forgetting a person reaches every tenant: use an admin token without a tenant claim");
                 check_no_body(req.body);
                 req.query.check_all_used();
                 const std::string jid = bare_person(req.path_params.at(0));
                 if (!forget) throw HttpError(503, "this process has no PostgreSQL to forget in");
                 sql::ForgetReport r;
                 try {
                   r = forget(jid);
                 } catch (const std::exception& e) {
                   throw HttpError(503, std::string("PostgreSQL did not forget (nothing was changed): ") + e.what());
                 }
                 JsonOut j;
                 j.begin_object().key("jid").str(jid).key("pseudonym").str(r.pseudonym);
                 j.key("sessions").i64(r.sessions).key("events").i64(r.events).key("archive").i64(r.archive);
                 j.key("rooms").i64(r.rooms).key("snapshots").i64(r.snapshots).end_object();
                 res.body = j.take();
               });
}

}  // namespace mucstream::analytics
