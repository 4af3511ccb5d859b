// mucctl's room upkeep commands as an operator runs them, the real binary against admin
// routes over a real core room loop: a no-op change is an error that says so, `rooms set`
// changes one option (and refuses unknown options and bad values with exit 2), and
// `rooms destroy-empty` / `destroy-unused` sweep rooms with a dry run first.
#include <future>

#include "mucctl_run.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {
constexpr std::int64_t kDay = 86'400'000;
constexpr std::int64_t kLoopStart = 1'795'316'645'000;  // the test loop's clock

core::Jid jid(const char* s) { return std::get<core::Jid>(core::Jid::parse(s)); }
bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

core::RoomConfig config_of(MucctlFixture& f, const std::string& room) {
  std::promise<core::RoomConfig> c;
  f.loop.inspect([&](const core::Service& s) { c.set_value(s.find(room)->config); });
  return c.get_future().get();
}
}  // namespace

TEST_CASE("mucctl: lock, unlock, ban and affiliation on a room already so exit 1 saying so, with no table") {
  MucctlFixture f;
  REQUIRE(f("rooms create standup --owner alice@localhost").status == 0);
  REQUIRE(f("rooms lock standup").status == 0);
  MucctlRun again = f("rooms lock standup");
  CHECK(again.status == 1);
  CHECK(again.out.empty());
  CHECK(again.err == "mucctl: standup@rooms.localhost is already locked (HTTP 409 conflict)\n");
  REQUIRE(f("rooms unlock standup").status == 0);
  MucctlRun unlocked = f("rooms unlock standup --json");
  CHECK(unlocked.status == 1);
  CHECK(unlocked.out.empty());
  CHECK(contains(unlocked.err, "standup@rooms.localhost is not locked"));
  REQUIRE(f("rooms ban standup eve@localhost").status == 0);
  MucctlRun banned = f("rooms ban standup eve@localhost --csv");
  CHECK(banned.status == 1);
  CHECK(banned.out.empty());
  CHECK(contains(banned.err, "eve@localhost is already banned from standup@rooms.localhost"));
  MucctlRun owner = f("rooms affiliation standup alice@localhost owner");
  CHECK(owner.status == 1);
  CHECK(contains(owner.err, "alice@localhost is already owner of standup@rooms.localhost"));
}

TEST_CASE("mucctl rooms set: every option of the configuration form, one at a time") {
  MucctlFixture f;
  REQUIRE(f("rooms create standup --owner alice@localhost").status == 0);
  core::Join a;  // someone inside, so that making the room temporary does not end it
  a.user = jid("alice@localhost/web");
  a.room = "standup@rooms.localhost";
  a.nick = "alice";
  REQUIRE(f.run(a).ok());
  const std::vector<std::pair<std::string, std::string>> sets = {
      {"name", "'Daily standup'"},     {"description", "'Fifteen minutes'"}, {"persistent", "false"},
      {"public", "no"},                {"members-only", "yes"},               {"moderated", "on"},
      {"password", "s3cret"},          {"max-occupants", "25"},               {"history-length", "5"},
      {"whois", "anyone"},             {"occupants_may_change_subject", "1"}, {"occupants-may-invite", "true"},
      {"allow-private-messages", "0"}, {"archiving", "false"},                {"invite-grants-membership", "off"},
      {"record-chat-states", "true"},  {"locked", "true"},
  };
  for (const auto& [option, value] : sets) {
    CAPTURE(option);
    MucctlRun r = f("rooms set standup " + option + " " + value);
    CHECK(r.status == 0);
    CHECK(r.out.rfind("EVENT", 0) == 0);
    CHECK((contains(r.out, "room_configured") || contains(r.out, "room_locked")));
  }
  const core::RoomConfig c = config_of(f, "standup@rooms.localhost");
  CHECK(c.name == "Daily standup");
  CHECK(c.description == "Fifteen minutes");
  CHECK_FALSE(c.persistent);
  CHECK_FALSE(c.is_public);
  CHECK(c.members_only);
  CHECK(c.moderated);
  CHECK(c.password_protected());
  CHECK(c.max_occupants == 25);
  CHECK(c.history_length == 5);
  CHECK(c.whois == core::Whois::anyone);
  CHECK(c.occupants_may_change_subject);
  CHECK(c.occupants_may_invite);
  CHECK_FALSE(c.allow_private_messages);
  CHECK_FALSE(c.enable_archiving);
  CHECK_FALSE(c.invite_grants_membership);
  CHECK(c.record_chat_states);
  // The password from stdin (kept off the command line), then removed with ''.
  MucctlRun piped = run_mucctl("printf 'other\\n' | " + f.env, "rooms set standup password -");
  CHECK(piped.status == 0);
  core::RoomConfig after = config_of(f, "standup@rooms.localhost");
  CHECK(after.password_hash != c.password_hash);
  CHECK(f("rooms set standup password ''").status == 0);
  CHECK_FALSE(config_of(f, "standup@rooms.localhost").password_protected());
}

TEST_CASE("mucctl rooms set: unknown options and bad values exit 2 before anything is sent, a same value exits 1") {
  MucctlFixture f;
  REQUIRE(f("rooms create standup --owner alice@localhost").status == 0);
  const std::size_t decided = f.loop.decisions().size();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"rooms set standup colour blue", "unknown room option 'colour' (options: name, description, persistent,"},
      {"rooms set standup persistent maybe", "persistent takes true or false"},
      {"rooms set standup max-occupants -3", "max-occupants takes a whole number, 0 or more, got '-3'"},
      {"rooms set standup history-length ten", "history-length takes a whole number"},
      {"rooms set standup whois everyone", "whois takes moderators or anyone, got 'everyone'"},
      {"rooms set standup name", ""},  // VALUE missing
  };
  for (const auto& [args, message] : bad) {
    CAPTURE(args);
    MucctlRun r = f(args);
    CHECK(r.status == 2);
    CHECK(contains(r.err, message));
    CHECK(r.out.empty());
  }
  CHECK(f.loop.decisions().size() == decided);  // nothing reached the room
  // The room service's own limit: a refusal, exit 1, with its message and condition.
  MucctlRun limit = f("rooms set standup history-length 1000");
  CHECK(limit.status == 1);
  CHECK(contains(limit.err, "History length exceeds the service limit of 100 (HTTP 400 bad_request, XMPP not-acceptable)"));
  // A value the room already has: nothing changed, said so.
  MucctlRun same = f("rooms set standup persistent true");
  CHECK(same.status == 1);
  CHECK(contains(same.err, "standup@rooms.localhost already has persistent=true (HTTP 409 conflict)"));
  MucctlRun help = f("rooms set --help");
  CHECK(help.status == 0);
  CHECK(contains(help.out, "usage: mucctl rooms set ROOM OPTION VALUE"));
  CHECK(contains(help.out, "  members-only true|false"));
  CHECK(contains(help.out, "  max-occupants N"));
}

TEST_CASE("mucctl rooms destroy-empty and destroy-unused: a dry run lists, the real run destroys the same rooms") {
  MucctlFixture f([] { return kLoopStart + 10 * kDay; });
  // quiet: created ahead of time, never used; chatty: a message, then empty; busy: occupied.
  REQUIRE(f("rooms create quiet --owner alice@localhost --title 'Quiet room'").status == 0);
  core::Join a;
  a.user = jid("alice@localhost/web");
  a.room = "chatty@rooms.localhost";
  a.nick = "alice";
  REQUIRE(f.run(a).ok());
  core::ConfigChange keep;
  keep.persistent = true;
  REQUIRE(f.run(core::Configure{core::Requester::user(a.user), a.room, keep}).ok());
  REQUIRE(f.run(core::SendGroupchat{a.user, a.room, "<body>hi</body>", true}).ok());
  REQUIRE(f.run(core::Leave{a.user, a.room, {}}).ok());
  core::Join b = a;
  b.user = jid("bob@localhost/phone");
  b.room = "busy@rooms.localhost";
  b.nick = "bob";
  REQUIRE(f.run(b).ok());

  MucctlRun dry = f("rooms destroy-empty --dry-run");
  CHECK(dry.status == 0);
  CHECK(dry.out ==
        "ROOM                   NAME        PERSISTENT  CREATED                   LAST ACTIVITY\n"
        "quiet@rooms.localhost  Quiet room  yes         2026-11-22T03:04:06.000Z  2026-11-22T03:04:06.000Z\n"
        "1 room would be destroyed (dry run: nothing was changed)\n");
  MucctlRun unused_dry = f("rooms destroy-unused --days 9 --dry-run --csv");
  CHECK(unused_dry.status == 0);
  CHECK(unused_dry.out.rfind("room,room_id,name,persistent,created,last_activity\n", 0) == 0);
  CHECK(contains(unused_dry.out, "\nchatty@rooms.localhost,"));
  CHECK(contains(unused_dry.out, "\nquiet@rooms.localhost,"));
  CHECK_FALSE(contains(unused_dry.out, "busy"));
  MucctlRun too_recent = f("rooms destroy-unused --days 11 --dry-run");
  CHECK(too_recent.status == 0);
  CHECK(too_recent.out == "no unused room would be destroyed\n");

  MucctlRun empty = f("rooms destroy-empty --reason 'spring cleaning'");
  CHECK(empty.status == 0);
  CHECK(contains(empty.out, "quiet@rooms.localhost"));
  CHECK(contains(empty.out, "1 room destroyed\n"));
  CHECK(std::get<core::data::RoomDestroyed>(f.loop.decisions().back().events.at(0).data).reason == "spring cleaning");
  MucctlRun unused = f("rooms destroy-unused --days 9 --json");
  CHECK(unused.status == 0);
  CHECK(contains(unused.out, "\"dry_run\":false,\"rooms\":[{\"room\":\"chatty@rooms.localhost\""));
  CHECK(contains(unused.out, "\"count\":1"));
  MucctlRun nothing = f("rooms destroy-empty");
  CHECK(nothing.status == 0);
  CHECK(nothing.out == "no empty room to destroy\n");

  for (const std::string& args : {std::string("rooms destroy-unused"), std::string("rooms destroy-unused --days -1"),
                                  std::string("rooms destroy-unused --days 1.5"), std::string("rooms destroy-unused --days 36501"),
                                  std::string("rooms destroy-empty --days 3"), std::string("rooms destroy-empty busy")}) {
    CAPTURE(args);
    MucctlRun r = f(args);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
  }
  std::promise<std::size_t> live;
  f.loop.inspect([&](const core::Service& s) { live.set_value(s.rooms.size()); });
  CHECK(live.get_future().get() == 1);  // busy stays
}
