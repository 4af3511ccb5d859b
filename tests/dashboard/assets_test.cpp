// The dashboard's files as the API process serves them, without a browser: the page is open
// and carries a policy that allows only its own origin; every file the page and its scripts
// refer to is served with its type (a missing import would break a page silently in a
// browser); every file served is one the dashboard uses; nothing names another site; bad
// names and parameters get the API's JSON errors.
#include <doctest/doctest.h>

#include <regex>
#include <set>

#include "analytics/dashboard_assets.hpp"
#include "http_support.hpp"

using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

struct Served {
  Running srv{nullptr};
  Served() {
    add_dashboard_asset_routes(*srv.server);
    srv.start();
  }
};

std::string body_of(std::string_view name) {
  for (const auto& a : dashboard_assets())
    if (a.name == name) return std::string(a.body);
  return {};
}

// The files `text` refers to: /dashboard/X in the page, ./X in the scripts' imports.
std::set<std::string> references(const std::string& text) {
  std::set<std::string> out;
  static const std::regex page(R"re((?:src|href)="/dashboard/([^"]+)")re");
  static const std::regex import(R"re(from "\./([^"]+)")re");
  for (const auto* re : {&page, &import})
    for (std::sregex_iterator it(text.begin(), text.end(), *re), end; it != end; ++it) out.insert((*it)[1].str());
  return out;
}

}  // namespace

TEST_CASE("the page is served without a token, as HTML, allowing only its own origin") {
  Served s;
  const Reply r = s.srv.get("/dashboard");
  REQUIRE(r.status == 200);
  CHECK(r.header("Content-Type") == "text/html; charset=utf-8");
  CHECK(r.body.find("<form id=\"signin\"") != std::string::npos);
  const std::string csp = r.header("Content-Security-Policy");
  CHECK(csp.find("default-src 'self'") != std::string::npos);
  CHECK(csp.find("script-src 'self'") != std::string::npos);
  CHECK(csp.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(r.header("X-Content-Type-Options") == "nosniff");
}

TEST_CASE("every file the page and its scripts refer to is served with its type, and only those") {
  Served s;
  std::set<std::string> used = {"index.html"};
  std::vector<std::string> todo = {"index.html"};
  while (!todo.empty()) {
    const std::string name = todo.back();
    todo.pop_back();
    CAPTURE(name);
    const Reply r = s.srv.get("/dashboard/" + name);
    REQUIRE(r.status == 200);
    const std::string ext = name.substr(name.rfind('.'));
    const std::string want = ext == ".js"    ? "text/javascript; charset=utf-8"
                             : ext == ".css" ? "text/css; charset=utf-8"
                                             : "text/html; charset=utf-8";
    CHECK(r.header("Content-Type") == want);
    CHECK(r.body == body_of(name));
    for (const auto& ref : references(r.body))
      if (used.insert(ref).second) todo.push_back(ref);
  }
  std::set<std::string> embedded;
  for (const auto& a : dashboard_assets()) embedded.insert(std::string(a.name));
  CHECK(used == embedded);
  CHECK(used.count("app.js") == 1);
  CHECK(used.size() >= 12);
}

TEST_CASE("no file loads anything from another site") {
  // The one absolute URL allowed is the SVG namespace, which is a name, not a request.
  static const std::regex url(R"re((https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,})re");
  for (const auto& a : dashboard_assets()) {
    CAPTURE(a.name);
    std::string text(a.body);
    for (std::size_t at; (at = text.find("http://www.w3.org/2000/svg")) != std::string::npos;) text.erase(at, 26);
    std::smatch m;
    CHECK_MESSAGE(!std::regex_search(text, m, url), "names another site: " << m.str());
  }
}

TEST_CASE("an unknown file is a 404 and a query parameter a 400, in the API's JSON error shape") {
  Served s;
  Reply r = s.srv.get("/dashboard/nosuch.js");
  CHECK(r.status == 404);
  CHECK(r.text("/error/code") == "not_found");
  r = s.srv.get("/dashboard/..%2Fserver.cpp");
  CHECK(r.status == 404);
  r = s.srv.get("/dashboard?token=x");
  CHECK(r.status == 400);
  CHECK(r.text("/error/parameter") == "token");
}
