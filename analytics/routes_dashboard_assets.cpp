// GET /dashboard and GET /dashboard/{asset}: the analysts' dashboard, its files embedded at
// build time. The files are open (they hold no data); the page signs in with an analyst or
// admin token and calls the JSON API with it, so every number stays behind the API's access
// rules. Answers are constant, so they run on the I/O thread and never wait behind queries.
#include "analytics/dashboard_assets.hpp"
#include "analytics/server.hpp"

namespace mucstream::analytics {
namespace {

const DashboardAsset* find_asset(std::string_view name) {
  for (const auto& a : dashboard_assets())
    if (a.name == name) return &a;
  return nullptr;
}

void serve(const DashboardAsset& a, HttpResponse& res) {
  res.status = 200;
  res.content_type = std::string(a.content_type);
  res.body = std::string(a.body);
  // Only our own files and our own API: a page that shows analytics loads nothing from
  // elsewhere, and no other site may frame it.
  res.headers.emplace_back("Content-Security-Policy",
                           "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                           "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  res.headers.emplace_back("X-Content-Type-Options", "nosniff");
  res.headers.emplace_back("Referrer-Policy", "no-referrer");
  // A new build's files replace the old ones at once (revalidated on every load).
  res.headers.emplace_back("Cache-Control", "no-cache");
}

}  // namespace

void add_dashboard_asset_routes(HttpServer& server) {
  server.route(
      "GET", "/dashboard", Access::open,
      [](HttpRequest& req, HttpResponse& res) {
        req.query.check_all_used();
        serve(*find_asset("index.html"), res);
      },
      Dispatch::inline_io);
  server.route(
      "GET", "/dashboard/{asset}", Access::open,
      [](HttpRequest& req, HttpResponse& res) {
        req.query.check_all_used();
        const DashboardAsset* a = find_asset(req.path_params.at(0));
        if (a == nullptr) throw HttpError(404, "the dashboard has no file " + req.path_params.at(0));
        serve(*a, res);
      },
      Dispatch::inline_io);
}

}  // namespace mucstream::analytics
