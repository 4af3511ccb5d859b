#pragma once
// What a token without content access (an analyst token without the "content" claim,
// auth.hpp) does not read over HTTP: the same fields the database's `analyst` role does not
// read (sql/migrations/0013_least_privilege.sql), so a number-only analyst gets the same
// answers whether they ask PostgreSQL or the API. Message bodies, people's JIDs and their
// clients' user agents go; counts, times, nicks, types and session ids stay.
#include <initializer_list>
#include <string>
#include <string_view>

namespace mucstream::analytics {

// An event's `data` without the keys that hold a body or name a person (payload, jid,
// bare_jid, creator, by, invitee, inviter, decliner, useragent) and without client.useragent.
// Text that is not a JSON object (it never is: the store keeps jsonb) becomes {} rather than
// passing through unread.
std::string event_data_without_personal(std::string_view data_json);

// `json` with every member named in `keys` removed at any depth (objects inside arrays too),
// as mucstream_without_keys() does in SQL. Text that is not JSON becomes null.
std::string without_keys_anywhere(std::string_view json, std::initializer_list<std::string_view> keys);

}  // namespace mucstream::analytics
