// mucctl's live-administration commands, run as a binary against an HTTP server whose
// admin routes drive a real core room loop (what mucstreamd all will serve).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdio>

#include "analytics/admin.hpp"
#include "analytics/telemetry.hpp"
#include "core_loop.hpp"
#include "http_support.hpp"
#include "mucctl_run.hpp"

using namespace mucstream;
using namespace mucstream::analytics;
using namespace mucstream::analytics::testing;

namespace {

using Run = MucctlRun;
Run mucctl(const std::string& env, const std::string& args) { return run_mucctl(env, args); }

struct Fixture : MucctlFixture {
  void join(const char* user, const char* nick) {
    core::Join j;
    j.user = std::get<core::Jid>(core::Jid::parse(user));
    j.room = "standup@rooms.localhost";
    j.nick = nick;
    REQUIRE(loop.run(j).ok());
  }
};

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("mucctl admin: create, lock, kick, ban, unlock, destroy a live room") {
  Fixture f;
  Run c = mucctl(f.env, "rooms create standup --owner alice@localhost --title 'Daily standup' --persistent");
  CHECK(c.status == 0);
  CHECK(c.out.rfind("EVENT", 0) == 0);
  CHECK(contains(c.out, "room_created  standup@rooms.localhost  1"));
  f.join("alice@localhost/web", "alice");
  f.join("bob@localhost/phone", "bob");
  f.join("carol@localhost/x", "carol");

  Run lock = mucctl(f.env, "rooms lock standup");
  CHECK(lock.status == 0);
  CHECK(contains(lock.out, "room_locked"));
  Run kick = mucctl(f.env, "rooms kick standup bob --reason 'be nice'");
  CHECK(kick.status == 0);
  CHECK(contains(kick.out, "occupant_left"));
  Run ban = mucctl(f.env, "rooms ban standup@rooms.localhost carol@localhost --json");
  CHECK(ban.status == 0);
  CHECK(contains(ban.out, "\"type\":\"affiliation_changed\""));
  CHECK(contains(ban.out, "\"type\":\"occupant_left\""));
  Run unlock = mucctl(f.env, "rooms unlock standup --csv");
  CHECK(unlock.status == 0);
  CHECK(unlock.out.rfind("type,room,seq,time,id,room_id\nroom_unlocked,standup@rooms.localhost,", 0) == 0);
  Run destroy = mucctl(f.env, "rooms destroy standup --reason 'meeting over' --purge");
  CHECK(destroy.status == 0);
  CHECK(contains(destroy.out, "room_destroyed"));
  // --purge asks for the bodies to go too: the event says so.
  CHECK(std::get<core::data::RoomDestroyed>(f.loop.decisions().back().events.back().data).purge ==
        std::optional<bool>(true));
  // Every occupant still present (alice) was told, with the reason.
  const core::Decision last = f.loop.decisions().back();
  bool alice_told = false;
  for (const auto& x : last.deliveries)
    if (const auto* p = std::get_if<core::PresenceOut>(&x))
      if (p->to == "alice@localhost/web" && p->destroyed && p->reason == "meeting over") alice_told = true;
  CHECK(alice_told);
}

TEST_CASE("mucctl admin: refusals and bad input are clear errors with non-zero exits") {
  Fixture f;
  Run missing = mucctl(f.env, "rooms lock nosuch");
  CHECK(missing.status == 1);
  CHECK(contains(missing.err, "HTTP 404 not_found, XMPP item-not-found"));
  CHECK(mucctl(f.env, "rooms create standup --owner alice@localhost").status == 0);
  Run twice = mucctl(f.env, "rooms create standup --owner alice@localhost");
  CHECK(twice.status == 1);
  CHECK(contains(twice.err, "HTTP 409"));
  Run no_owner = mucctl(f.env, "rooms create other");
  CHECK(no_owner.status == 2);
  CHECK(contains(no_owner.err, "--owner"));
  Run bad_jid = mucctl(f.env, "rooms ban standup 'not a jid'");
  CHECK(bad_jid.status == 1);
  CHECK(contains(bad_jid.err, "'jid'"));
  Run kick_args = mucctl(f.env, "rooms kick standup");
  CHECK(kick_args.status == 2);
  Run analyst = mucctl(f.env + " MUCCTL_TOKEN=" + create_token(kSecret, Role::analyst, 3600, unix_now()), "rooms lock standup");
  CHECK(analyst.status == 4);
  CHECK(contains(analyst.err, "admin role"));
  Run help = mucctl(f.env, "rooms kick --help");
  CHECK(help.status == 0);
  CHECK(contains(help.out, "usage: mucctl rooms kick ROOM NICK"));
  CHECK(contains(help.out, "mucstreamd all"));
}

TEST_CASE("mucctl admin: occupants lists a live room, affiliation changes one") {
  Fixture f;
  REQUIRE(mucctl(f.env, "rooms create standup --owner alice@localhost").status == 0);
  f.join("alice@localhost/web", "alice");
  f.join("bob@localhost/phone", "bob");
  Run table = mucctl(f.env, "rooms occupants standup");
  CHECK(table.status == 0);
  CHECK(table.out.rfind("NICK ", 0) == 0);
  CHECK(contains(table.out, "alice  moderator    owner"));
  CHECK(contains(table.out, "bob    participant  none"));
  CHECK(contains(table.out, "2 occupants in standup@rooms.localhost\n"));
  Run csv = mucctl(f.env, "rooms occupants standup --csv");
  CHECK(csv.status == 0);
  CHECK(csv.out.rfind("nick,role,affiliation,jid,occupant_id,sessionid,full_jid,joined,type,os,browser,useragent\n", 0) == 0);
  CHECK(contains(csv.out, ",bob@localhost/phone,"));

  Run member = mucctl(f.env, "rooms affiliation standup bob@localhost member --reason regular");
  CHECK(member.status == 0);
  CHECK(contains(member.out, "affiliation_changed"));
  Run json = mucctl(f.env, "rooms occupants standup --json");
  CHECK(json.status == 0);
  CHECK(contains(json.out, "\"nick\":\"bob\",\"jid\":\"bob@localhost\""));
  CHECK(contains(json.out, "\"affiliation\":\"member\""));

  Run bad_aff = mucctl(f.env, "rooms affiliation standup bob@localhost king");
  CHECK(bad_aff.status == 1);
  CHECK(contains(bad_aff.err, "'affiliation'"));
  Run missing = mucctl(f.env, "rooms occupants nosuch");
  CHECK(missing.status == 1);
  CHECK(contains(missing.err, "No such room"));
  CHECK(contains(missing.err, "HTTP 404"));
}

TEST_CASE("mucctl token create --role client: the token posts telemetry for its session and opens nothing else") {
  Loop loop;
  Running srv{nullptr};
  const SubmitFn submit = [&loop](core::Command c, std::function<void(const core::Decision&)> d) {
    loop.submit(std::move(c), std::move(d));
  };
  add_admin_routes(*srv.server, submit, {});
  add_telemetry_routes(*srv.server, submit, {});
  const int port = srv.start();
  core::Join j;
  j.user = std::get<core::Jid>(core::Jid::parse("alice@localhost/web"));
  j.room = "standup@rooms.localhost";
  j.nick = "alice";
  const core::Decision joined = loop.run(j);
  REQUIRE(joined.ok());
  const core::Event& e = joined.events.back();

  const std::string env = "env -u MUCCTL_CONFIG HOME=/nonexistent MUCSTREAM_JWT_SECRET=" + kSecret;
  Run missing = mucctl(env, "token create --role client");
  CHECK(missing.status == 2);
  CHECK(contains(missing.err, "--session"));
  Run tok = mucctl(env, "token create --role client --session " + e.actor + " --room-id " + e.room_id + " --ttl 10m");
  REQUIRE(tok.status == 0);
  const std::string token = tok.out.substr(0, tok.out.find('\n'));
  const AuthResult claims = verify_token(kSecret, token, unix_now());
  REQUIRE(claims.claims.has_value());
  CHECK(claims.claims->role == Role::client);
  CHECK(claims.claims->session == e.actor);
  CHECK(claims.claims->room_id == e.room_id);

  auto r = srv.client->Post("/v1/telemetry", {{"Authorization", "Bearer " + token}}, R"({"eventType":"video_paused"})",
                            "application/json");
  REQUIRE(r);
  CHECK(r->status == 202);
  CHECK(loop.decisions().back().events.at(0).type == core::EventType::video_paused);
  CHECK(loop.decisions().back().events.at(0).actor == e.actor);

  // The same token is no admin token: mucctl says so with exit status 4.
  Run lock = mucctl("env -u MUCCTL_CONFIG HOME=/nonexistent MUCCTL_URL=http://127.0.0.1:" + std::to_string(port) +
                        " MUCCTL_TOKEN=" + token,
                    "rooms lock standup");
  CHECK(lock.status == 4);
  CHECK(contains(lock.err, "403"));
}

TEST_CASE("mucctl admin: every room command takes the room's id, JID or local part, messages post") {
  Fixture f;
  REQUIRE(mucctl(f.env, "rooms create standup --owner alice@localhost").status == 0);
  f.join("alice@localhost/web", "alice");
  std::promise<std::string> id;
  f.loop.inspect([&](const core::Service& s) { id.set_value(s.find("standup@rooms.localhost")->room_id); });
  const std::string room_id = id.get_future().get();
  Run lock = mucctl(f.env, "rooms lock " + room_id);
  CHECK(lock.status == 0);
  CHECK(contains(lock.out, "room_locked  standup@rooms.localhost"));
  CHECK(mucctl(f.env, "rooms unlock standup@rooms.localhost").status == 0);
  Run occupants = mucctl(f.env, "rooms occupants " + room_id);
  CHECK(occupants.status == 0);
  CHECK(contains(occupants.out, "alice"));
  for (const std::string& name : {room_id, std::string("standup@rooms.localhost"), std::string("standup")}) {
    CAPTURE(name);
    Run post = mucctl(f.env, "messages post " + name + " 'Deploy starts now'");
    CHECK(post.status == 0);
    CHECK(post.out.rfind("ID", 0) == 0);
    CHECK(contains(post.out, "standup@rooms.localhost"));
  }
  const core::Decision last = f.loop.decisions().back();
  REQUIRE(last.events.size() == 1);
  CHECK(std::get<core::data::MessageSent>(last.events[0].data).payload == "<body>Deploy starts now</body>");
  CHECK(std::get<core::data::MessageSent>(last.events[0].data).by == std::optional<std::string>("admin:ops"));
  Run gone = mucctl(f.env, "messages post nosuch hello");
  CHECK(gone.status == 1);
  CHECK(contains(gone.err, "HTTP 404"));
  CHECK(mucctl(f.env, "messages post standup").status == 2);  // TEXT missing
}
