// Each event type's `data` as JSON. Every key is spelled once, in the fields() list of its
// struct below; the writer and the reader both walk those lists, so the two directions cannot
// disagree. Key order is the order the log has always carried.
#include "events/event_codec.hpp"

#include <algorithm>
#include <concepts>
#include <type_traits>
#include <vector>

#include "events/json_detail.hpp"
#include "events/json_value.hpp"

namespace mucstream::events {
namespace {

using core::Value;
namespace data = core::data;

// Marks a struct's open-ended part: written as its own members, read from the members no
// named field took.
struct Rest {};
constexpr Rest rest{};

template <class D, class T>
concept Is = std::same_as<std::remove_const_t<D>, T>;
template <class D, class T>
concept Derives = std::is_base_of_v<T, std::remove_const_t<D>>;

// ---- The keys -------------------------------------------------------------------------
// f(key, member) for each field in JSON order; f(key, member, alias) also reads an older
// spelling when the key is absent; std::optional members are written only when set.

template <class D, class F> requires Is<D, core::RoomConfig>
void fields(D& d, F&& f) {
  f("name", d.name);
  f("description", d.description);
  f("persistent", d.persistent);
  f("public", d.is_public);
  f("members_only", d.members_only);
  f("moderated", d.moderated);
  f("password_hash", d.password_hash);
  f("max_occupants", d.max_occupants);
  f("history_length", d.history_length);
  f("whois", d.whois);
  f("occupants_may_change_subject", d.occupants_may_change_subject);
  f("occupants_may_invite", d.occupants_may_invite);
  f("allow_private_messages", d.allow_private_messages);
  f("enable_archiving", d.enable_archiving);
  f("invite_grants_membership", d.invite_grants_membership);
  f("record_chat_states", d.record_chat_states);
}

template <class D, class F> requires Is<D, data::RoomCreated>
void fields(D& d, F&& f) {
  f("creator", d.creator);
  f("config", d.config);
  f("awaiting_configuration", d.awaiting_configuration);
  f("occupant_id_salt", d.occupant_id_salt);
  f("by", d.by);
}

template <class D, class F> requires Is<D, data::RoomDestroyed>
void fields(D& d, F&& f) {
  f("reason", d.reason);
  f("alternate", d.alternate);
  f("by", d.by);
  f("purge", d.purge);
}

template <class D, class F> requires Is<D, data::RoomLocked> || Is<D, data::RoomUnlocked>
void fields(D& d, F&& f) {
  f("by", d.by);
}

template <class D, class F> requires Is<D, data::OccupantJoined>
void fields(D& d, F&& f) {
  f("nick", d.nick);
  f("jid", d.jid);
  f("bare_jid", d.bare_jid);
  f("role", d.role);
  f("affiliation", d.affiliation);
  f("occupant_id", d.occupant_id);
  f("client", d.client);
}

template <class D, class F> requires Is<D, data::OccupantLeft>
void fields(D& d, F&& f) {
  f("by", d.by);
  f("kick_reason", d.kick_reason);
  f("nick", d.nick);
  f("reason", d.reason);
  f("status", d.status);
}

template <class D, class F> requires Is<D, data::MessageSent>
void fields(D& d, F&& f) {
  f("nick", d.nick);
  f("occupant_id", d.occupant_id);
  f("jid", d.jid);
  f("payload", d.payload);
  f("client_id", d.client_id);
  f("no_store", d.no_store);
  f("by", d.by);
}

template <class D, class F> requires Derives<D, data::MediaChange>
void fields(D& d, F&& f) {
  f(rest, d.extra);  // a client's report comes first, as it was before `source` was added
  f("source", d.source);
  f("sid", d.sid);
}

template <class D, class F> requires Is<D, data::P2PSessionStarted>
void fields(D& d, F&& f) {
  f("sid", d.sid);
  f("media", d.media);
}

template <class D, class F> requires Is<D, data::P2PSessionEnded>
void fields(D& d, F&& f) {
  f("sid", d.sid);
  f("reason", d.reason);
  f("duration_ms", d.duration_ms, "duration");
}

template <class D, class F> requires Is<D, data::P2PSessionStats>
void fields(D& d, F&& f) {
  f("sid", d.sid);
  f(rest, d.figures);
}

template <class D, class F> requires Is<D, data::RoomConfigured>
void fields(D& d, F&& f) {
  f("config", d.config);
  f("by", d.by);
}

template <class D, class F> requires Is<D, data::AffiliationChanged>
void fields(D& d, F&& f) {
  f("jid", d.jid);
  f("affiliation", d.affiliation);
  f("reason", d.reason);
  f("by", d.by);
}

template <class D, class F> requires Is<D, data::RoleChanged>
void fields(D& d, F&& f) {
  f("nick", d.nick);
  f("role", d.role);
  f("reason", d.reason);
  f("by", d.by);
}

template <class D, class F> requires Is<D, data::SubjectChanged>
void fields(D& d, F&& f) {
  f("subject", d.subject);
  f("nick", d.nick);
}

template <class D, class F> requires Is<D, data::NickChanged>
void fields(D& d, F&& f) {
  f("old_nick", d.old_nick);
  f("new_nick", d.new_nick);
}

template <class D, class F> requires Is<D, data::PrivateMessageSent>
void fields(D& d, F&& f) {
  f("nick", d.nick);
  f("to_nick", d.to_nick);
}

template <class D, class F> requires Is<D, data::MessageCorrected>
void fields(D& d, F&& f) {
  f("target", d.target);
  f("nick", d.nick);
  f("occupant_id", d.occupant_id);
  f("jid", d.jid);
  f("payload", d.payload);
  f("client_id", d.client_id);
}

template <class D, class F> requires Is<D, data::MessageRetracted>
void fields(D& d, F&& f) {
  f("target", d.target);
  f("moderated", d.moderated);
  f("by", d.by);
  f("by_nick", d.by_nick);
  f("reason", d.reason);
}

template <class D, class F> requires Is<D, data::ChatStateSent>
void fields(D& d, F&& f) {
  f("nick", d.nick);
  f("state", d.state);
  f("to_nick", d.to_nick);
}

template <class D, class F> requires Is<D, data::MessageDisplayed>
void fields(D& d, F&& f) {
  f("nick", d.nick);
  f("target", d.target);
  f("to_nick", d.to_nick);
}

template <class D, class F> requires Is<D, data::VoiceRequested>
void fields(D& d, F&& f) {
  f("nick", d.nick);
  f("jid", d.jid);
}

template <class D, class F> requires Is<D, data::InvitationSent>
void fields(D& d, F&& f) {
  f("invitee", d.invitee);
  f("reason", d.reason);
  f("membership_granted", d.membership_granted);
  f("by", d.by);
}

template <class D, class F> requires Is<D, data::InvitationDeclined>
void fields(D& d, F&& f) {
  f("decliner", d.decliner);
  f("inviter", d.inviter);
  f("reason", d.reason);
}

template <class D, class F> requires Derives<D, data::ClientReported>
void fields(D& d, F&& f) {
  f(rest, d.fields);
}

template <class D>
constexpr bool kHasRest =
    Derives<D, data::MediaChange> || Derives<D, data::ClientReported> || Is<D, data::P2PSessionStats>;

template <class T>
struct IsOptional : std::false_type {};
template <class T>
struct IsOptional<std::optional<T>> : std::true_type {};

// ---- Writing ----------------------------------------------------------------------------

using detail::Writer;

// The keys a struct's named fields write, so that its open-ended part cannot repeat them.
struct Names {
  std::vector<std::string_view> keys;
  template <class T>
  void operator()(const char* key, const T& v, const char* = nullptr) {
    if constexpr (IsOptional<T>::value)
      if (!v) return;
    keys.emplace_back(key);
  }
  void operator()(Rest, const Value&) {}
};

struct Encoder {
  Writer& w;
  const Names* named = nullptr;

  void put(const std::string& s) { detail::write_string(w, s); }
  void put(bool b) { w.Bool(b); }
  void put(std::int64_t i) { w.Int64(i); }
  void put(std::uint32_t i) { w.Int64(i); }
  void put(core::Role r) { detail::write_string(w, core::to_string(r)); }
  void put(core::Affiliation a) { detail::write_string(w, core::to_string(a)); }
  void put(core::Whois x) { detail::write_string(w, x == core::Whois::anyone ? "anyone" : "moderators"); }
  void put(const std::vector<std::string>& a) {
    w.StartArray();
    for (const auto& s : a) put(s);
    w.EndArray();
  }
  void put(const Value& v) { detail::write_value(w, v); }
  void put(const core::RoomConfig& c) { write_object(w, c); }

  template <class T>
  void operator()(const char* key, const T& v, const char* = nullptr) {
    if constexpr (IsOptional<T>::value) {
      if (!v) return;
      w.Key(key);
      put(*v);
    } else {
      w.Key(key);
      put(v);
    }
  }
  void operator()(Rest, const Value& v) {
    if (!v.is_object()) return;
    for (const auto& [k, x] : v.as_object()) {
      if (named && std::find(named->keys.begin(), named->keys.end(), k) != named->keys.end()) continue;
      detail::write_string(w, k);
      detail::write_value(w, x);
    }
  }

  template <class D>
  static void write_object(Writer& w, const D& d) {
    Encoder e{w};
    Names names;
    if constexpr (kHasRest<D>) {
      fields(d, names);
      e.named = &names;
    }
    w.StartObject();
    fields(d, e);
    w.EndObject();
  }
};

// ---- Reading ----------------------------------------------------------------------------

struct Decoder {
  Value::Object& members;
  std::vector<bool> used{};  // which members named fields took; kept only for structs with a Rest
  Value* rest_into = nullptr;

  // Each read leaves `out` alone and returns false when `v` has another JSON type.
  static bool read(Value& v, std::string& out) {
    if (!v.is_string()) return false;
    out = std::move(v.as_string());
    return true;
  }
  static bool read(Value& v, bool& out) {
    if (!v.is_bool()) return false;
    out = v.as_bool();
    return true;
  }
  static bool read(Value& v, std::int64_t& out) {
    if (!v.is_int()) return false;
    out = v.as_int();
    return true;
  }
  static bool read(Value& v, std::uint32_t& out) {
    if (!v.is_int()) return false;
    out = static_cast<std::uint32_t>(v.as_int());
    return true;
  }
  static bool read(Value& v, core::Role& out) {
    auto r = v.is_string() ? core::role_from_string(v.as_string()) : std::nullopt;
    if (r) out = *r;
    return r.has_value();
  }
  static bool read(Value& v, core::Affiliation& out) {
    auto a = v.is_string() ? core::affiliation_from_string(v.as_string()) : std::nullopt;
    if (a) out = *a;
    return a.has_value();
  }
  static bool read(Value& v, core::Whois& out) {  // anything but "anyone" is the safe default
    out = v.is_string() && v.as_string() == "anyone" ? core::Whois::anyone : core::Whois::moderators;
    return true;
  }
  static bool read(Value& v, std::vector<std::string>& out) {
    if (!v.is_array()) return false;
    out.clear();
    for (Value& x : v.as_array())
      if (x.is_string()) out.push_back(std::move(x.as_string()));
    return true;
  }
  static bool read(Value& v, Value& out) {
    out = std::move(v);
    return true;
  }
  static bool read(Value& v, core::RoomConfig& out) {
    core::RoomConfig c;
    if (v.is_object()) read_object(v.as_object(), c);
    out = std::move(c);
    return true;
  }

  // Members usually come in the order fields() lists them: look where the last one was
  // found first, then everywhere.
  std::size_t next = 0;
  Value* find(std::string_view key, std::size_t& at) {
    if (next < members.size() && members[next].first == key) {
      at = next++;
      return &members[at].second;
    }
    for (at = 0; at < members.size(); ++at)
      if (members[at].first == key) {
        next = at + 1;
        return &members[at].second;
      }
    return nullptr;
  }

  // Marks every member named `key` (JSON may repeat a key; the first one counts).
  void take(std::string_view key) {
    if (used.empty()) return;
    for (std::size_t i = 0; i < members.size(); ++i)
      if (members[i].first == key) used[i] = true;
  }

  template <class T>
  void operator()(const char* key, T& field, const char* alias = nullptr) {
    std::size_t at = 0;
    Value* v = find(key, at);
    if (v == nullptr && alias != nullptr) v = find(key = alias, at);  // an older spelling
    if (v == nullptr) return;
    if constexpr (IsOptional<T>::value) {
      typename T::value_type x{};
      if (!read(*v, x)) return;  // left for the open-ended part, if the struct has one
      field = std::move(x);
    } else {
      read(*v, field);  // always written back, so never repeated by the open-ended part
    }
    take(key);
  }
  void operator()(Rest, Value& into) { rest_into = &into; }

  template <class D>
  static void read_object(Value::Object& members, D& d) {
    Decoder r{members};
    if constexpr (kHasRest<D>) r.used.assign(members.size(), false);
    fields(d, r);
    if (r.rest_into == nullptr) return;
    Value::Object left;
    for (std::size_t i = 0; i < members.size(); ++i)
      if (!r.used[i]) left.push_back(std::move(members[i]));
    *r.rest_into = Value(std::move(left));
  }
};

}  // namespace

namespace detail {
void write_data(Writer& w, const core::EventData& d) {
  std::visit([&](const auto& x) { Encoder::write_object(w, x); }, d);
}
void write_config(Writer& w, const core::RoomConfig& c) { Encoder::write_object(w, c); }
core::RoomConfig read_config(Value object) {
  core::RoomConfig c;
  Decoder::read(object, c);
  return c;
}
}  // namespace detail

std::string encode_data(const core::EventData& d) {
  std::string s;
  detail::StringOut os{s};
  Writer w(os);
  detail::write_data(w, d);
  return s;
}

core::EventData read_data(core::EventType t, Value object) {
  core::EventData d = core::empty_data(t);
  if (!object.is_object()) return d;
  std::visit([&](auto& x) { Decoder::read_object(object.as_object(), x); }, d);
  return d;
}

std::optional<core::EventData> decode_data(core::EventType t, std::string_view json, std::string* error) {
  auto v = decode_value(json, error);
  if (!v) return std::nullopt;
  return read_data(t, std::move(*v));
}

}  // namespace mucstream::events
