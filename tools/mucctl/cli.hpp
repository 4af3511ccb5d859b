#pragma once
// What mucctl's command files share: the parsed command line (Context), the command table's
// shape, the HTTP client for the API (Api), JSON-to-cell helpers, output, and the errors
// that become exit codes. main.cpp parses and dispatches; report.cpp, migrate.cpp and main.cpp
// hold the commands.
#include <httplib.h>
#include <rapidjson/document.h>

#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tools/mucctl/output.hpp"

namespace mucstream::tools::mucctl {

// Exit codes (also in --help).
constexpr int kOk = 0, kFailed = 1, kUsage = 2, kUnreachable = 3, kDenied = 4;

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
class Exit : public std::runtime_error {
 public:
  Exit(int code, const std::string& m) : std::runtime_error(m), code(code) {}
  int code;
};

struct Command;

struct Context {
  const Command* cmd = nullptr;
  std::map<std::string, std::string> opts;  // option name (without --) -> value ("" for switches)
  std::vector<std::string> args;
  Format format = Format::table;
  std::string url, token, jwt_secret, pg;
  int timeout = 10;

  bool has(const std::string& o) const { return opts.count(o) != 0; }
  std::optional<std::string> get(const std::string& o) const {
    auto it = opts.find(o);
    if (it == opts.end()) return std::nullopt;
    return it->second;
  }
};

struct Option {
  const char* name;
  bool value;
};

struct Command {
  const char* group;
  const char* name;
  const char* usage;
  std::vector<Option> options;
  std::size_t positional;  // required positional arguments
  int (*run)(Context&);
};


// The commands defined outside main.cpp.
const std::vector<Command>& report_commands();  // report.cpp
const std::vector<Command>& migrate_commands();  // migrate.cpp
const std::vector<Command>& message_commands();  // messages.cpp
const std::vector<Command>& room_option_commands();  // room_options.cpp: rooms set
const std::vector<Command>& room_sweep_commands();   // room_sweeps.cpp: rooms destroy-empty|destroy-unused
const std::vector<Command>& lifecycle_commands();    // lifecycle.cpp: purge, users forget
int cmd_rooms_show(Context& ctx);                    // room_report.cpp: a room with its report

// A ROOM argument as sent to the API: a local part alone ("standup") becomes a bare JID of
// --domain D when given (standup@D), so it names D's room and not the default domain's;
// ids and bare JIDs are sent as given. A bad --domain is a UsageError.
std::string room_arg(const Context& ctx, const std::string& room);

// RFC 3986 percent-encoding of everything but unreserved characters.
std::string percent(const std::string& s);

// The API at ctx.url with ctx.token; every non-2xx answer becomes an Exit with the API's
// error message and the matching exit code.
struct Api {
  std::unique_ptr<httplib::Client> client;
  std::string prefix;  // path part of the base URL
  std::string url;
  std::string token;

  explicit Api(const Context& ctx);
  // GET path+query; returns the parsed JSON body of a 2xx answer, throws Exit otherwise.
  rapidjson::Document get(const std::string& path, const std::vector<std::pair<std::string, std::string>>& q = {},
                          std::string* raw = nullptr);
  // POST a JSON body; as get().
  rapidjson::Document post(const std::string& path, const std::string& body, std::string* raw = nullptr);

 private:
  rapidjson::Document call(const std::string* body, const std::string& path_query, std::string* raw);
};

// Live administration: POSTs `body` to /v1/admin/… and prints the events the room service
// decided (table, CSV or the API's JSON). A refusal, or an answer without events, is an Exit.
int admin_call(Context& ctx, const std::string& path, const std::string& body);

// JSON value as compact text.
std::string json_text(const rapidjson::Value& v);
// obj[key] as a table cell: strings as is, booleans yes/no, null/absent empty.
std::string cell(const rapidjson::Value& obj, const char* key);
void print(const std::string& s);
// A table in the context's format (table or CSV).
void print_rows(const Context& ctx, const Table& t);

}  // namespace mucstream::tools::mucctl
