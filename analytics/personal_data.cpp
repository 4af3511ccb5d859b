#include "analytics/personal_data.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <vector>

namespace mucstream::analytics {
namespace {

bool named(const rapidjson::Value& name, std::initializer_list<std::string_view> keys) {
  const std::string_view n(name.GetString(), name.GetStringLength());
  return std::find(keys.begin(), keys.end(), n) != keys.end();
}

void remove_members(rapidjson::Value& object, std::initializer_list<std::string_view> keys) {
  for (auto it = object.MemberBegin(); it != object.MemberEnd();) {
    if (named(it->name, keys)) it = object.EraseMember(it);
    else ++it;
  }
}

// Iterative so that a deeply nested document cannot exhaust the stack.
void remove_everywhere(rapidjson::Value& root, std::initializer_list<std::string_view> keys) {
  std::vector<rapidjson::Value*> todo{&root};
  while (!todo.empty()) {
    rapidjson::Value* v = todo.back();
    todo.pop_back();
    if (v->IsObject()) {
      remove_members(*v, keys);
      for (auto& m : v->GetObject()) todo.push_back(&m.value);
    } else if (v->IsArray()) {
      for (auto& e : v->GetArray()) todo.push_back(&e);
    }
  }
}

bool parse(rapidjson::Document& doc, std::string_view json) {
  doc.Parse<rapidjson::kParseIterativeFlag>(json.data(), json.size());
  return !doc.HasParseError();
}

std::string serialise(const rapidjson::Value& v) {
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> w(out);
  v.Accept(w);
  return std::string(out.GetString(), out.GetSize());
}

}  // namespace

std::string event_data_without_personal(std::string_view data_json) {
  rapidjson::Document doc;
  if (!parse(doc, data_json) || !doc.IsObject()) return "{}";
  remove_members(doc, {"payload", "jid", "bare_jid", "creator", "by", "invitee", "inviter", "decliner", "useragent"});
  if (auto client = doc.FindMember("client"); client != doc.MemberEnd() && client->value.IsObject())
    remove_members(client->value, {"useragent"});
  return serialise(doc);
}

std::string without_keys_anywhere(std::string_view json, std::initializer_list<std::string_view> keys) {
  rapidjson::Document doc;
  if (!parse(doc, json)) return "null";
  remove_everywhere(doc, keys);
  return serialise(doc);
}

}  // namespace mucstream::analytics
