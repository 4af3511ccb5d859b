// mucctl's shared pieces (cli.hpp): the API client and output helpers.
#include "tools/mucctl/cli.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cctype>
#include <cstdio>

#include "analytics/params.hpp"

namespace mucstream::tools::mucctl {

std::string room_arg(const Context& ctx, const std::string& room) {
  const auto domain = ctx.get("domain");
  if (!domain) return room;
  if (domain->empty() || domain->find_first_of("@/ ") != std::string::npos)
    throw UsageError("--domain must be a MUC domain such as rooms.example.org (got '" + *domain + "')");
  if (room.find('@') != std::string::npos || analytics::parse_uuid(room)) return room;
  return room + "@" + *domain;
}

std::string percent(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

namespace {

std::string query_string(const std::vector<std::pair<std::string, std::string>>& q) {
  std::string out;
  for (const auto& [k, v] : q) out += (out.empty() ? "?" : "&") + percent(k) + "=" + percent(v);
  return out;
}

std::string describe(httplib::Error e) {
  switch (e) {
    case httplib::Error::Connection: return "connection failed (is the API running there?)";
    case httplib::Error::ConnectionTimeout: return "connection timed out";
    case httplib::Error::Read: return "the connection broke while reading the answer (or it timed out)";
    case httplib::Error::Write: return "the connection broke while sending the request";
    case httplib::Error::SSLConnection: return "TLS connection failed";
    case httplib::Error::SSLServerVerification: return "the server's TLS certificate did not verify";
    default: return httplib::to_string(e);
  }
}

}  // namespace

Api::Api(const Context& ctx) : url(ctx.url), token(ctx.token) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos || (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0))
    throw UsageError("--url must start with http:// or https:// (got '" + url + "')");
  const auto slash = url.find('/', scheme + 3);
  const std::string host = url.substr(0, slash);
  if (slash != std::string::npos) prefix = url.substr(slash);
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  client = std::make_unique<httplib::Client>(host);
  if (!client->is_valid()) throw UsageError("--url '" + url + "' is not a valid URL");
  client->set_tcp_nodelay(true);
  client->set_keep_alive(true);
  client->set_connection_timeout(ctx.timeout);
  client->set_read_timeout(ctx.timeout);
  client->set_write_timeout(ctx.timeout);
}

rapidjson::Document Api::get(const std::string& path, const std::vector<std::pair<std::string, std::string>>& q,
                             std::string* raw) {
  return call(nullptr, path + query_string(q), raw);
}

rapidjson::Document Api::post(const std::string& path, const std::string& body, std::string* raw) {
  return call(&body, path, raw);
}

rapidjson::Document Api::call(const std::string* body, const std::string& path_query, std::string* raw) {
  if (token.empty())
    throw Exit(kDenied, "no API token: pass --token, set MUCCTL_TOKEN, or put token in the config file "
                        "(make one with `mucctl token create --role analyst --ttl 1h`)");
  httplib::Headers h = {{"Authorization", "Bearer " + token}, {"Accept", "application/json"}};
  const std::string target = prefix + path_query;
  const auto res = body != nullptr ? client->Post(target.c_str(), h, *body, "application/json")
                                   : client->Get(target.c_str(), h);
  if (!res) throw Exit(kUnreachable, "cannot reach " + url + ": " + describe(res.error()));
  rapidjson::Document doc;
  doc.Parse(res->body.c_str(), res->body.size());
  if (res->status >= 400) {
    std::string message = "HTTP " + std::to_string(res->status);
    if (!doc.HasParseError() && doc.IsObject() && doc.HasMember("error") && doc["error"].IsObject()) {
      const auto& e = doc["error"];
      if (e.HasMember("message") && e["message"].IsString()) message = e["message"].GetString();
      if (e.HasMember("code") && e["code"].IsString()) {
        message += " (HTTP " + std::to_string(res->status) + " " + e["code"].GetString();
        if (e.HasMember("condition") && e["condition"].IsString()) message += std::string(", XMPP ") + e["condition"].GetString();
        message += ")";
      }
    }
    throw Exit(res->status == 401 || res->status == 403 ? kDenied : kFailed, message);
  }
  if (doc.HasParseError()) throw Exit(kFailed, url + " answered something that is not JSON");
  if (raw != nullptr) *raw = res->body;
  return doc;
}

std::string json_text(const rapidjson::Value& v) {
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  v.Accept(w);
  return std::string(b.GetString(), b.GetSize());
}

std::string cell(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject() || !obj.HasMember(key)) return "";
  const auto& v = obj[key];
  if (v.IsNull()) return "";
  if (v.IsString()) return std::string(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? "yes" : "no";
  if (v.IsInt64()) return std::to_string(v.GetInt64());
  if (v.IsUint64()) return std::to_string(v.GetUint64());
  if (v.IsDouble()) return std::to_string(v.GetDouble());
  return json_text(v);
}


int admin_call(Context& ctx, const std::string& path, const std::string& body) {
  Api api(ctx);
  std::string raw;
  const auto doc = api.post(path, body, &raw);
  // The API answers a change the room already had with 409; an older server answered 200
  // with no events, which must not pass for success either.
  if (!doc.HasMember("events") || !doc["events"].IsArray() || doc["events"].Empty())
    throw Exit(kFailed, "the room service changed nothing (the room was already as asked)");
  if (ctx.format == Format::json) {
    print(raw + "\n");
    return kOk;
  }
  Table t;
  t.columns = ctx.format == Format::csv ? std::vector<std::string>{"type", "room", "seq", "time", "id", "room_id"}
                                        : std::vector<std::string>{"EVENT", "ROOM", "SEQ", "TIME", "ID"};
  for (const auto& e : doc["events"].GetArray()) {
    if (ctx.format == Format::csv)
      t.rows.push_back({cell(e, "type"), cell(e, "room"), cell(e, "seq"), cell(e, "time"), cell(e, "id"), cell(e, "room_id")});
    else
      t.rows.push_back({cell(e, "type"), cell(e, "room"), cell(e, "seq"), cell(e, "time"), cell(e, "id")});
  }
  print_rows(ctx, t);
  return kOk;
}

void print(const std::string& s) {
  std::fwrite(s.data(), 1, s.size(), stdout);
  std::fflush(stdout);
}

void print_rows(const Context& ctx, const Table& t) {
  print(ctx.format == Format::csv ? render_csv(t) : render_table(t));
}


}  // namespace mucstream::tools::mucctl
