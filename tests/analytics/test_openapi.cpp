// docs/api.yaml agrees with the server: the same operations (method + path), the same
// operations open without a token, and every documented parameter, at its documented
// example, accepted by the running server.
#include <doctest/doctest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "analytics/admin.hpp"
#include "analytics/routes_privacy.hpp"
#include "analytics/telemetry.hpp"
#include "http_support.hpp"
#include "memory_store.hpp"

using namespace mucstream::analytics;
using namespace mucstream::sql;
using namespace mucstream::analytics::testing;

namespace {

struct DocParam {
  std::string name, in, example;
};
struct DocOperation {
  bool open = false;  // security: []
  std::string role;   // x-required-role
  std::vector<DocParam> params;
};

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b);
}
std::size_t indent(const std::string& s) { return s.find_first_not_of(' '); }

// Reads the paths section of our own api.yaml: paths at indent 2, methods at 4, operation
// keys at 6, parameter list items ("- name:") at 8 with their keys at 10.
std::map<std::pair<std::string, std::string>, DocOperation> read_doc(const std::string& file) {
  std::ifstream in(file);
  REQUIRE_MESSAGE(in.good(), "cannot read " << file);
  std::map<std::pair<std::string, std::string>, DocOperation> ops;
  std::string line, path, method;
  bool in_paths = false, in_params = false;
  DocOperation* op = nullptr;
  while (std::getline(in, line)) {
    if (line.empty() || trim(line).empty() || trim(line)[0] == '#') continue;
    const std::size_t ind = indent(line);
    const std::string t = trim(line);
    if (ind == 0) {
      in_paths = t == "paths:";
      op = nullptr;
      continue;
    }
    if (!in_paths) continue;
    if (ind == 2 && t.back() == ':') {
      path = t.substr(0, t.size() - 1);
      op = nullptr;
    } else if (ind == 4 && t.back() == ':') {
      method = t.substr(0, t.size() - 1);
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      op = &ops[{method, path}];
      in_params = false;
    } else if (op != nullptr && ind == 6) {
      in_params = t == "parameters:";
      if (t == "security: []") op->open = true;
      if (t.rfind("x-required-role: ", 0) == 0) op->role = t.substr(17);
    } else if (op != nullptr && in_params && ind == 8 && t.rfind("- name: ", 0) == 0) {
      op->params.push_back({t.substr(8), "", ""});
    } else if (op != nullptr && in_params && ind == 10 && !op->params.empty()) {
      if (t.rfind("in: ", 0) == 0) op->params.back().in = t.substr(4);
      if (t.rfind("example: ", 0) == 0) {
        // A YAML string that needs quotes (">10") is the text between them.
        std::string v = t.substr(9);
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
        op->params.back().example = v;
      }
    }
  }
  return ops;
}

std::string pct(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == ',' || c == ':' || c == '@') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

void seed(MemoryStore& s) {
  RoomRow r;
  r.id = "0190f3c2-8a40-7000-8000-000000000001";
  r.name = "standup";
  r.jid = "standup@rooms.localhost";
  r.created = 1795316645000000;
  s.rooms_.push_back(r);
  UserRow u;
  u.sessionid = "0190f3c2-8a4b-7000-8000-00000000000a";
  u.userid = "alice@localhost";
  u.room_id = r.id;
  u.nick = "alice";
  u.created = r.created;
  s.users_.push_back(u);
  // The message the messages route's examples name.
  mucstream::core::ArchivedMessage m;
  m.stanza_id = "0190f3c2-8a4b-7000-8000-000000000100";
  m.time_ms = 1795316646000;
  m.nick = "alice";
  m.payload = "<body>hi</body>";
  s.archive_[r.id].push_back(m);
}

}  // namespace

TEST_CASE("openapi: docs/api.yaml lists exactly the routes the server registers") {
  const auto doc = read_doc(std::string(MUCSTREAM_SOURCE_DIR) + "/docs/api.yaml");
  MemoryStore store;
  Running srv(&store);
  // What the process owning the rooms adds (mucstreamd all).
  add_admin_routes(*srv.server, [](mucstream::core::Command, std::function<void(const mucstream::core::Decision&)>) {}, {});
  add_telemetry_routes(*srv.server, {}, {});
  add_privacy_routes(*srv.server, {});  // every API process (mucstreamd api, all)
  std::set<std::pair<std::string, std::string>> served, documented;
  for (const auto& r : srv.server->routes()) {
    served.insert({r.method, r.path});
    CAPTURE(r.path);
    const auto it = doc.find({r.method, r.path});
    REQUIRE_MESSAGE(it != doc.end(), r.method << " " << r.path << " is served but not in docs/api.yaml");
    CHECK_MESSAGE(it->second.open == (r.access == Access::open),
                  r.path << ": docs/api.yaml and the server disagree on whether it needs a token");
    const std::string role = r.access == Access::admin     ? "admin"
                             : r.access == Access::analyst ? "analyst"
                             : r.access == Access::metrics ? "analyst"  // or the metrics token
                             : r.access == Access::client  ? "client"
                             : r.access == Access::reader  ? "reader"   // analyst, admin, service or user
                             : r.access == Access::poster  ? "service"  // or admin
                                                           : "";
    CHECK_MESSAGE(it->second.role == role, r.path << ": docs/api.yaml and the server disagree on the role it needs");
  }
  for (const auto& [key, op] : doc) documented.insert(key);
  CHECK(served == documented);
  CHECK(served.size() == 39);
}

TEST_CASE("openapi: every documented parameter is accepted at its example value, others are refused") {
  const auto doc = read_doc(std::string(MUCSTREAM_SOURCE_DIR) + "/docs/api.yaml");
  MemoryStore store;
  seed(store);
  Running srv(&store);
  srv.start();
  const std::string tok = Running::content_token();  // the message routes need content access
  for (const auto& [key, op] : doc) {
    // Live-administration reads need the room loop: test_admin.cpp covers their parameters.
    if (key.first != "GET" || op.role == "admin") continue;
    std::string path = key.second;
    std::vector<std::string> query;
    for (const auto& p : op.params) {
      CAPTURE(key.second);
      CAPTURE(p.name);
      REQUIRE_MESSAGE(!p.example.empty(), "parameter " << p.name << " has no example");
      if (p.in == "path") {
        path.replace(path.find("{" + p.name + "}"), p.name.size() + 2, p.example);
      } else {
        CHECK(p.in == "query");
        query.push_back(p.name + "=" + pct(p.example));
      }
    }
    CHECK_MESSAGE(path.find('{') == std::string::npos, key.second << ": a path parameter is not documented");
    for (const auto& q : query) {
      CAPTURE(path + "?" + q);
      const Reply r = srv.get(path + "?" + q, tok);
      CHECK_MESSAGE(r.status == 200, r.body);
    }
    const Reply bogus = srv.get(path + "?undocumented=1", tok);
    CHECK(bogus.status == 400);
  }
}
