// Decoding the call extensions (docs/protocol.md "Calls") from raw stanzas as
// Prosody hands them to the component, and the ids rendered into presences.
#include "tests/xmpp/util.hpp"
#include "xmpp/calls.hpp"
#include "xmpp/renderer.hpp"

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;
using core::testing::World;
using Action = core::ObserveJingle::Action;

namespace {

const char* kRoom = "room@rooms.test";

Decoded decode_with(const std::string& s, const JingleContents& known, const core::Service& svc = {}) {
  static const std::string domain = kDomain;
  auto t = xml(s);
  return decode(*t, DecodeContext{domain, svc, &known});
}

// A Jingle IQ set from alice to bob's room JID with `inner` inside <jingle/>.
std::string jingle_iq(const std::string& action, const std::string& inner, const std::string& sid = "s1") {
  return "<iq type='set' id='j1' from='alice@e.com/a' to='room@rooms.test/bob'>"
         "<jingle xmlns='urn:xmpp:jingle:1' action='" + action + "' sid='" + sid +
         "' initiator='room@rooms.test/alice'>" + inner + "</jingle></iq>";
}

std::string rtp_content(const std::string& name, const std::string& media, const std::string& extra = {}) {
  return "<content creator='initiator' name='" + name + "'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='" +
         media + "'>" + extra + "<payload-type id='96' name='VP8'/></description>"
         "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='u' pwd='p'/></content>";
}

// By value: callers pass temporaries.
core::ObserveJingle only_observation(const Decoded& d) {
  REQUIRE(d.observations.size() == 1);
  const auto* o = std::get_if<core::ObserveJingle>(&d.observations[0]);
  REQUIRE(o != nullptr);
  return *o;
}

core::ReportP2PStats stats_of(const std::string& attrs) {
  Decoded d = decode_str("<iq type='set' id='s' from='alice@e.com/a' to='room@rooms.test'>"
                         "<stats xmlns='urn:xmpp:mucstream:stats:0' " + attrs + "/></iq>");
  REQUIRE_MESSAGE(!d.error, attrs);
  REQUIRE(d.commands.size() == 1);
  return std::get<core::ReportP2PStats>(d.commands[0]);
}

core::ErrorCondition stats_error(const std::string& attrs) {
  Decoded d = decode_str("<iq type='set' id='s' from='alice@e.com/a' to='room@rooms.test'>"
                         "<stats xmlns='urn:xmpp:mucstream:stats:0' " + attrs + "/></iq>");
  REQUIRE_MESSAGE(d.error.has_value(), attrs);
  CHECK(d.commands.empty());
  return d.error->condition;
}

}  // namespace

TEST_CASE("jingle session-accept: routed as an occupant IQ and observed with its media kinds") {
  Decoded d = decode_str(jingle_iq("session-accept", rtp_content("voice", "audio") + rtp_content("webcam", "video")));
  REQUIRE_FALSE(d.error);
  REQUIRE(d.query);
  CHECK(d.query->what == Query::What::occupant_iq);  // relayed like any IQ between occupants
  const auto& o = only_observation(d);
  CHECK(o.action == Action::session_accept);
  CHECK(o.sid == "s1");
  CHECK(o.room == kRoom);
  CHECK(o.to_nick == "bob");
  CHECK(o.user.full() == "alice@e.com/a");
  CHECK(o.media == std::vector<std::string>{"audio", "video"});
  REQUIRE(d.jingle);
  CHECK(d.jingle->contents == std::vector<std::pair<std::string, std::string>>{{"voice", "audio"}, {"webcam", "video"}});
}

TEST_CASE("jingle screen contents: by content name, by Jitsi videoType, by the mucstream marker") {
  auto kinds = [](const std::string& content) {
    return only_observation(decode_str(jingle_iq("session-accept", rtp_content("voice", "audio") + content))).media;
  };
  const std::vector<std::string> with_screen{"audio", "screen"};
  CHECK(kinds(rtp_content("Screen-Share", "video")) == with_screen);
  CHECK(kinds(rtp_content("desktop", "video")) == with_screen);
  CHECK(kinds(rtp_content("v1", "video",
                          "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1' videoType='desktop'/>")) == with_screen);
  CHECK(kinds(rtp_content("v1", "video", "<screen xmlns='urn:xmpp:mucstream:0'/>")) == with_screen);
  CHECK(kinds(rtp_content("v1", "video", "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1' videoType='camera'/>")) ==
        std::vector<std::string>{"audio", "video"});
  // An audio content named "screen" is still audio: the marker classifies video only.
  CHECK(kinds(rtp_content("screen-audio", "audio")) == std::vector<std::string>{"audio"});
}

TEST_CASE("jingle session-terminate: the reason condition, not its text") {
  const auto& o = only_observation(decode_str(jingle_iq(
      "session-terminate", "<reason><text>bye</text><success/></reason>")));
  CHECK(o.action == Action::session_terminate);
  CHECK(o.reason == "success");
  Decoded none = decode_str(jingle_iq("session-terminate", ""));
  CHECK(only_observation(none).reason.empty());
  REQUIRE(none.jingle);
  CHECK(none.jingle->ends);
}

TEST_CASE("jingle session-info mute and unmute: content names resolved from the session, else by name") {
  JingleContents known;
  known.learn(kRoom, "s1", "c0", "audio");
  known.learn(kRoom, "s1", "c1", "video");
  known.learn("other@rooms.test", "s1", "x7", "audio");  // same sid in another room: not this call
  auto mute = [&](const std::string& inner) {
    return decode_with(jingle_iq("session-info", inner), known);
  };
  const auto& a = only_observation(mute("<mute xmlns='urn:xmpp:jingle:apps:rtp:info:1' creator='initiator' name='c0'/>"));
  CHECK(a.action == Action::mute);
  CHECK(a.mute_name == "audio");
  CHECK(only_observation(mute("<unmute xmlns='urn:xmpp:jingle:apps:rtp:info:1' name='c1'/>")).mute_name == "video");
  CHECK(only_observation(mute("<unmute xmlns='urn:xmpp:jingle:apps:rtp:info:1' name='c1'/>")).action == Action::unmute);
  CHECK(only_observation(mute("<mute xmlns='urn:xmpp:jingle:apps:rtp:info:1' name='webcam'/>")).mute_name == "video");
  // No name: every content of the session.
  CHECK(only_observation(mute("<mute xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>")).mute_name.empty());
  // A name nobody declared and that says nothing, a ringing, a mute in the wrong namespace: nothing.
  CHECK(mute("<mute xmlns='urn:xmpp:jingle:apps:rtp:info:1' name='x7'/>").observations.empty());
  CHECK(mute("<ringing xmlns='urn:xmpp:jingle:apps:rtp:info:1'/>").observations.empty());
  CHECK(mute("<mute xmlns='urn:example' name='c0'/>").observations.empty());
}

TEST_CASE("jingle content-add and content-remove of a screen share") {
  JingleContents known;
  Decoded add = decode_with(jingle_iq("content-add", rtp_content("s2", "video", "<screen xmlns='urn:xmpp:mucstream:0'/>")), known);
  const auto& a = only_observation(add);
  CHECK(a.action == Action::content_add);
  CHECK(a.media == std::vector<std::string>{"screen"});
  for (const auto& [name, media] : add.jingle->contents) known.learn(kRoom, "s1", name, media);
  // content-remove names the content only: its kind comes from what content-add declared.
  const auto& r = only_observation(decode_with(jingle_iq("content-remove", "<content creator='initiator' name='s2'/>"), known));
  CHECK(r.action == Action::content_remove);
  CHECK(r.media == std::vector<std::string>{"screen"});
}

TEST_CASE("malformed or uninteresting jingle: still routed, nothing observed") {
  for (const std::string& s : {
           std::string("<iq type='set' id='1' from='alice@e.com/a' to='room@rooms.test/bob'>"
                       "<jingle xmlns='urn:xmpp:jingle:1' action='session-accept'>") + rtp_content("a", "audio") + "</jingle></iq>",
           jingle_iq("session-dance", rtp_content("a", "audio")),
           jingle_iq("session-accept", ""),  // an accept without contents
           jingle_iq("content-add", ""),
           jingle_iq("session-accept", "<content name='f'><description xmlns='urn:xmpp:jingle:apps:file-transfer:5'/></content>"),
           jingle_iq("transport-info", "<content name='a'/>"),
           jingle_iq("session-initiate", rtp_content("a", "audio")),
       }) {
    Decoded d = decode_str(s);
    CHECK_FALSE(d.error);
    REQUIRE(d.query);
    CHECK(d.query->what == Query::What::occupant_iq);
    CHECK(d.observations.empty());
  }
  // session-initiate is not an event, but its content names are remembered.
  Decoded init = decode_str(jingle_iq("session-initiate", rtp_content("voice", "audio")));
  REQUIRE(init.jingle);
  CHECK(init.jingle->contents.size() == 1);
  // A get, or a result, is never observed.
  Decoded get = decode_str("<iq type='get' id='1' from='alice@e.com/a' to='room@rooms.test/bob'>"
                           "<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='s'/></iq>");
  CHECK(get.observations.empty());
}

TEST_CASE("presence media state: Jitsi elements, the mucstream element wins, nonsense is not announced") {
  auto media = [](const std::string& inner) {
    return decode_str("<presence from='alice@e.com/a' to='room@rooms.test/alice'>" + inner + "</presence>");
  };
  Decoded j = media("<audiomuted xmlns='http://jitsi.org/jitmeet/audio'>true</audiomuted>"
                    "<videomuted xmlns='http://jitsi.org/jitmeet/video'> false </videomuted>");
  REQUIRE(j.observations.size() == 1);
  const auto& a = std::get<core::AnnounceMedia>(j.observations[0]);
  CHECK(a.room == kRoom);
  CHECK(a.audio_paused == std::optional<bool>(true));
  CHECK(a.video_paused == std::optional<bool>(false));
  CHECK_FALSE(a.screen_sharing.has_value());
  // The presence itself is relayed with the Jitsi elements in it.
  CHECK(contains(*j.presence_payload, "audiomuted"));

  Decoded m = media("<audiomuted xmlns='http://jitsi.org/jitmeet/audio'>true</audiomuted>"
                    "<media xmlns='urn:xmpp:mucstream:0' audio='active' video='paused' screen='sharing'/>");
  const auto& b = std::get<core::AnnounceMedia>(m.observations.at(0));
  CHECK(b.audio_paused == std::optional<bool>(false));
  CHECK(b.video_paused == std::optional<bool>(true));
  CHECK(b.screen_sharing == std::optional<bool>(true));
  CHECK(contains(*m.presence_payload, "urn:xmpp:mucstream:0"));  // peers read it too

  Decoded vt = media("<videoType xmlns='http://jitsi.org/jitmeet/video'>desktop</videoType>");
  CHECK(std::get<core::AnnounceMedia>(vt.observations.at(0)).screen_sharing == std::optional<bool>(true));

  CHECK(media("<audiomuted xmlns='http://jitsi.org/jitmeet/audio'>maybe</audiomuted>").observations.empty());
  CHECK(media("<media xmlns='urn:xmpp:mucstream:0' audio='loud'/>").observations.empty());
  CHECK(media("<audiomuted xmlns='urn:example'>true</audiomuted>").observations.empty());
  CHECK(media("<show>away</show>").observations.empty());
}

TEST_CASE("join presence: media state observed after the join, client info into Join.client and not relayed") {
  Decoded d = decode_str(
      "<presence from='alice@e.com/a' to='room@rooms.test/alice'><x xmlns='http://jabber.org/protocol/muc'/>"
      "<client xmlns='urn:xmpp:mucstream:0' type='browser' os='Linux' browser='Firefox' useragent='Mozilla/5.0 (X11)'/>"
      "<videomuted xmlns='http://jitsi.org/jitmeet/video'>true</videomuted></presence>");
  REQUIRE_FALSE(d.error);
  REQUIRE(d.commands.size() == 1);
  const auto& j = std::get<core::Presence>(d.commands[0]);
  CHECK(j.client.get_string("type") == "browser");
  CHECK(j.client.get_string("os") == "Linux");
  CHECK(j.client.get_string("browser") == "Firefox");
  CHECK(j.client.get_string("useragent") == "Mozilla/5.0 (X11)");
  REQUIRE(d.observations.size() == 1);
  CHECK(std::holds_alternative<core::AnnounceMedia>(d.observations[0]));
  CHECK_FALSE(contains(*d.presence_payload, "useragent"));  // for the room's analytics only
  CHECK(contains(*d.presence_payload, "videomuted"));

  // An unknown type is dropped, the rest kept; ids a client forges are never relayed.
  Decoded odd = decode_str(
      "<presence from='alice@e.com/a' to='room@rooms.test/alice'><x xmlns='http://jabber.org/protocol/muc'/>"
      "<client xmlns='urn:xmpp:mucstream:0' type='toaster' os='TempleOS'/>"
      "<session xmlns='urn:xmpp:mucstream:0' id='forged' room-id='forged'/></presence>");
  const auto& oj = std::get<core::Presence>(odd.commands[0]);
  CHECK(oj.client.find("type") == nullptr);
  CHECK(oj.client.get_string("os") == "TempleOS");
  CHECK_FALSE(contains(*odd.presence_payload, "forged"));
}

TEST_CASE("client info from XEP-0115 caps when the extension is absent") {
  auto client = [](const std::string& node) {
    Decoded d = decode_str("<presence from='alice@e.com/a' to='room@rooms.test/alice'><x xmlns='http://jabber.org/protocol/muc'/>"
                           "<c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='" + node + "' ver='x'/></presence>");
    return std::get<core::Presence>(d.commands.at(0)).client;
  };
  core::Value conv = client("http://conversations.im");
  CHECK(conv.get_string("type") == "mobile");
  CHECK(conv.get_string("os") == "Android");
  CHECK(conv.get_string("browser") == "Conversations");
  CHECK(conv.get_string("caps_node") == "http://conversations.im");
  core::Value other = client("https://example.org/client/x");
  CHECK(other.get_string("browser") == "example.org");
  CHECK(other.find("type") == nullptr);
  Decoded none = decode_str("<presence from='alice@e.com/a' to='room@rooms.test/alice'><x xmlns='http://jabber.org/protocol/muc'/></presence>");
  CHECK(std::get<core::Presence>(none.commands.at(0)).client == core::Value::object());
}

TEST_CASE("p2p stats IQ: every figure into event data") {
  auto r = stats_of("sid='s1' rtt='23.5' jitter='4' packet-loss='0.015' bitrate-in='1200000' bitrate-out='950000' "
                    "resolution='1280x720' fps='30' local-candidate='host' remote-candidate='relay' future='ignored'");
  CHECK(r.sid == "s1");
  CHECK(r.room == kRoom);
  CHECK(r.user.full() == "alice@e.com/a");
  CHECK(r.stats.get_string("sid") == "s1");
  CHECK(r.stats.find("rtt_ms")->as_double() == doctest::Approx(23.5));
  CHECK(r.stats.get_int("jitter_ms") == 4);
  CHECK(r.stats.find("packet_loss")->as_double() == doctest::Approx(0.015));
  CHECK(r.stats.get_int("bitrate_in") == 1200000);
  CHECK(r.stats.get_int("bitrate_out") == 950000);
  CHECK(r.stats.get_string("resolution") == "1280x720");
  CHECK(r.stats.get_int("fps") == 30);
  CHECK(r.stats.get_string("local_candidate_type") == "host");
  CHECK(r.stats.get_string("remote_candidate_type") == "relay");
  CHECK(r.stats.find("future") == nullptr);
  CHECK(stats_of("sid='s1' rtt='0'").stats.as_object().size() == 2);
}

TEST_CASE("p2p stats IQ: nonsense is a bad-request naming the attribute") {
  using C = core::ErrorCondition;
  CHECK(stats_error("rtt='20'") == C::bad_request);          // no sid
  CHECK(stats_error("sid='s1'") == C::bad_request);          // no figures
  CHECK(stats_error("sid='s1' rtt='-1'") == C::bad_request);
  CHECK(stats_error("sid='s1' rtt='fast'") == C::bad_request);
  CHECK(stats_error("sid='s1' rtt='nan'") == C::bad_request);
  CHECK(stats_error("sid='s1' rtt='1e9'") == C::bad_request);
  CHECK(stats_error("sid='s1' packet-loss='5'") == C::bad_request);  // a fraction, not percent
  CHECK(stats_error("sid='s1' resolution='big'") == C::bad_request);
  CHECK(stats_error("sid='s1' resolution='0x720'") == C::bad_request);
  CHECK(stats_error("sid='s1' fps='30fps'") == C::bad_request);
  CHECK(stats_error("sid='s1' fps='1000'") == C::bad_request);
  CHECK(stats_error("sid='s1' local-candidate='turn'") == C::bad_request);
  Decoded d = decode_str("<iq type='set' id='s' from='alice@e.com/a' to='room@rooms.test'>"
                         "<stats xmlns='urn:xmpp:mucstream:stats:0' sid='s1' jitter='-3'/></iq>");
  CHECK(contains(d.error->text, "jitter"));
  // A stats get, or stats to the service, is not something the room serves.
  CHECK(decode_str("<iq type='get' id='s' from='alice@e.com/a' to='room@rooms.test'>"
                   "<stats xmlns='urn:xmpp:mucstream:stats:0' sid='s1' rtt='1'/></iq>")
            .error->condition == C::service_unavailable);
  CHECK(decode_str("<iq type='set' id='s' from='alice@e.com/a' to='rooms.test'>"
                   "<stats xmlns='urn:xmpp:mucstream:stats:0' sid='s1' rtt='1'/></iq>")
            .error->condition == C::service_unavailable);
}

TEST_CASE("real-time text: init and new switch it on, cancel off, edits relayed without events") {
  auto msg = [](const std::string& inner) {
    return decode_str("<message type='groupchat' id='m' from='alice@e.com/a' to='room@rooms.test'>" + inner + "</message>");
  };
  for (const char* e : {"init", "new"}) {
    Decoded d = msg(std::string("<rtt xmlns='urn:xmpp:rtt:0' seq='1' event='") + e + "'><t>He</t></rtt>");
    REQUIRE(d.commands.size() == 1);
    const auto& g = std::get<core::SendGroupchat>(d.commands[0]);
    CHECK_FALSE(g.has_body);  // relayed, but neither history nor message_sent
    CHECK(contains(g.payload, "urn:xmpp:rtt:0"));
    REQUIRE(d.observations.size() == 1);
    CHECK(std::get<core::SetRtt>(d.observations[0]).enabled);
  }
  Decoded cancel = msg("<rtt xmlns='urn:xmpp:rtt:0' seq='2' event='cancel'/>");
  CHECK_FALSE(std::get<core::SetRtt>(cancel.observations.at(0)).enabled);
  CHECK(msg("<rtt xmlns='urn:xmpp:rtt:0' seq='3'><t>llo</t></rtt>").observations.empty());  // default event: edit
  CHECK(msg("<rtt xmlns='urn:xmpp:rtt:0' seq='3' event='reset'><t>Hello</t></rtt>").observations.empty());
  // The final message carries a body: a real message, and RTT state unchanged by an edit.
  Decoded done = msg("<body>Hello</body><rtt xmlns='urn:xmpp:rtt:0' seq='4' event='edit'/>");
  CHECK(std::get<core::SendGroupchat>(done.commands.at(0)).has_body);
  CHECK(done.observations.empty());
}

TEST_CASE("presences carry session and room ids, self-presence the telemetry token") {
  World w;
  w.cfg.domain = kDomain;
  REQUIRE(w.join("alice@e.com/a", "alice", {}, kRoom).ok());
  REQUIRE(w.configure("alice@e.com/a", {}, kRoom).ok());
  core::Decision d = w.join("bob@e.com/b", "bob", {}, kRoom);
  REQUIRE(d.ok());
  const core::Room& room = *w.svc.find(kRoom);
  const std::string alice = room.session_by_jid("alice@e.com/a")->id;
  const std::string bob = room.session_by_jid("bob@e.com/b")->id;
  TelemetryTokenSource tokens = [](const std::string& s, const std::string& r) { return "tok-" + s + "-" + r; };
  RenderContext ctx;
  ctx.service = &w.svc;
  ctx.telemetry_token = &tokens;
  Renderer r(kDomain);
  StringOutput out;
  for (const auto& x : d.deliveries) r.render(x, PresenceCache{}, ctx, out);
  int checked = 0;
  for (const std::string& s : out.stanzas) {
    auto t = xml(s);
    if (t->name() != "presence") continue;  // the subject message
    const gloox::Tag* session = nullptr;
    const gloox::Tag* telemetry = nullptr;
    for (const gloox::Tag* c : t->children()) {
      if (c->xmlns() != ns::kMucstream) continue;
      if (c->name() == "session") session = c;
      if (c->name() == "telemetry") telemetry = c;
    }
    REQUIRE(session != nullptr);
    CHECK(session->findAttribute("room-id") == room.room_id);
    const bool to_bob = t->findAttribute("to") == "bob@e.com/b";
    const bool from_bob = t->findAttribute("from") == "room@rooms.test/bob";
    CHECK(session->findAttribute("id") == (from_bob ? bob : alice));
    if (to_bob && from_bob) {  // bob's self-presence
      REQUIRE(telemetry != nullptr);
      CHECK(telemetry->findAttribute("token") == "tok-" + bob + "-" + room.room_id);
    } else {
      CHECK(telemetry == nullptr);  // nobody else's token
    }
    ++checked;
  }
  CHECK(checked == 3);  // alice to bob, bob to bob, bob to alice

  // Without a service in the context, presences are as before.
  StringOutput plain;
  for (const auto& x : d.deliveries) r.render(x, PresenceCache{}, RenderContext{}, plain);
  for (const std::string& s : plain.stanzas) CHECK_FALSE(contains(s, "urn:xmpp:mucstream:0"));
}

TEST_CASE("jingle content names: per room and sid, forgotten on terminate, bounded") {
  JingleContents known;
  known.learn(kRoom, "s1", "voice", "audio");
  REQUIRE(known.find(kRoom, "s1", "voice") != nullptr);
  CHECK(known.find("other@rooms.test", "s1", "voice") == nullptr);
  known.forget(kRoom, "s1");
  CHECK(known.find(kRoom, "s1", "voice") == nullptr);
  for (std::size_t i = 0; i < JingleContents::kMaxSessions + 10; ++i) known.learn(kRoom, std::to_string(i), "c", "video");
  CHECK(known.size() <= JingleContents::kMaxSessions);
  CHECK(known.find(kRoom, "0", "c") == nullptr);  // the oldest went first
  CHECK(known.find(kRoom, std::to_string(JingleContents::kMaxSessions + 9), "c") != nullptr);
}
