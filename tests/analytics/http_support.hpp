#pragma once
// A running HttpServer on a free loopback port plus a keep-alive client, for HTTP tests.
#include <httplib.h>
#include <rapidjson/document.h>
#include <rapidjson/pointer.h>

#include <memory>
#include <string>

#include "analytics/auth.hpp"
#include "analytics/metrics.hpp"
#include "analytics/server.hpp"
#include "sql/read_store.hpp"

namespace mucstream::analytics::testing {

inline const std::string kSecret = "http-test-secret-0123456789abcdef";

struct Reply {
  int status = 0;
  std::string body;
  httplib::Headers headers;
  rapidjson::Document json;
  std::string header(const std::string& k) const {
    auto it = headers.find(k);
    return it == headers.end() ? std::string() : it->second;
  }
  // JSON pointer lookups ("/error/code") as text; "" when absent.
  std::string text(const char* pointer) const {
    const rapidjson::Value* v = rapidjson::Pointer(pointer).Get(json);
    if (v == nullptr) return "<absent>";
    if (v->IsString()) return v->GetString();
    if (v->IsNull()) return "null";
    if (v->IsBool()) return v->GetBool() ? "true" : "false";
    if (v->IsInt64()) return std::to_string(v->GetInt64());
    return "<other>";
  }
  std::size_t size(const char* pointer) const {
    const rapidjson::Value* v = rapidjson::Pointer(pointer).Get(json);
    return v != nullptr && v->IsArray() ? v->Size() : 0;
  }
};

class Running {
 public:
  Running(sql::ReadStore* store, ServerConfig cfg = {}) {
    cfg.host = "127.0.0.1";
    cfg.port = 0;
    if (cfg.jwt_secret.empty()) cfg.jwt_secret = kSecret;
    server = std::make_unique<HttpServer>(cfg, registry);
    if (store != nullptr) add_api_routes(*server, registry, *store);
    else add_health_routes(*server, registry, nullptr);
  }
  int start() {
    port = server->start();
    client = std::make_unique<httplib::Client>("127.0.0.1", port);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);
    return port;
  }
  Reply get(const std::string& path, const std::string& token = {}, httplib::Headers headers = {}) {
    if (!token.empty()) headers.emplace("Authorization", "Bearer " + token);
    return finish(client->Get(path.c_str(), headers));
  }
  Reply options(const std::string& path, httplib::Headers headers) { return finish(client->Options(path.c_str(), headers)); }
  Reply post(const std::string& path, const std::string& token) {
    httplib::Headers h;
    if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
    return finish(client->Post(path.c_str(), h, "{}", "application/json"));
  }
  static std::string token(Role role, std::int64_t ttl = 3600) { return create_token(kSecret, role, ttl, unix_now()); }
  // An analyst token that also reads message bodies, real JIDs and user agents.
  static std::string content_token() { return create_token(kSecret, Role::analyst, 3600, unix_now(), {}, {}, true); }

  metrics::Registry registry;
  std::unique_ptr<HttpServer> server;
  std::unique_ptr<httplib::Client> client;
  int port = 0;

 private:
  static Reply finish(const httplib::Result& r) {
    Reply out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    out.headers = r->headers;
    out.json.Parse(out.body.c_str());
    return out;
  }
};

}  // namespace mucstream::analytics::testing
