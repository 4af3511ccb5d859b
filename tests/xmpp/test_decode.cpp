// Decoding raw stanzas (as Prosody hands them to the component) into core commands.
#include "tests/xmpp/util.hpp"

using namespace mucstream;
using namespace mucstream::xmpp;
using namespace mucstream::xmpp::testing;
using core::testing::World;

TEST_CASE("join presence: nick, password and every history attribute") {
  Decoded d = decode_str(
      "<presence from='Alice@Example.com/desk' to='Room@rooms.test/Ally' id='j1'>"
      "<x xmlns='http://jabber.org/protocol/muc'><password>secret</password>"
      "<history maxchars='65000' maxstanzas='20' seconds='180' since='1970-01-01T00:00:10.5Z'/></x>"
      "<show>away</show><c xmlns='http://jabber.org/protocol/caps' node='n' ver='v' hash='sha-1'/></presence>");
  REQUIRE_FALSE(d.error);
  REQUIRE(d.commands.size() == 1);
  const auto* j = std::get_if<core::Presence>(&d.commands[0]);  // read literally; core decides it is a join
  REQUIRE(j != nullptr);
  CHECK(j->available);
  CHECK(j->muc_x);
  CHECK(core::classify_presence(core::Service{}, *j) == core::PresenceKind::join);
  CHECK(j->room == "room@rooms.test");  // normalised
  CHECK(j->user.full() == "alice@example.com/desk");
  CHECK(j->nick == "Ally");
  CHECK(j->password == std::optional<std::string>("secret"));
  CHECK(j->history.max_chars == 65000u);
  CHECK(j->history.max_stanzas == 20u);
  CHECK(j->history.seconds == 180u);
  CHECK(j->history.since_ms == 10500);
  // The MUC element is not relayed; show and caps are.
  REQUIRE(d.presence_payload);
  CHECK(contains(*d.presence_payload, "<show>away</show>"));
  CHECK(contains(*d.presence_payload, "http://jabber.org/protocol/caps"));
  CHECK_FALSE(contains(*d.presence_payload, "password"));
}

TEST_CASE("join errors the wire layer answers itself") {
  CHECK(decode_str("<presence from='a@e.com/r' to='room@rooms.test'><x xmlns='http://jabber.org/protocol/muc'/></presence>")
            .error->condition == core::ErrorCondition::jid_malformed);
  CHECK(decode_str("<presence from='a@e.com/r' to='room@rooms.test/n'><x xmlns='http://jabber.org/protocol/muc'>"
                   "<history maxstanzas='lots'/></x></presence>")
            .error->condition == core::ErrorCondition::bad_request);
  CHECK(decode_str("<presence from='a@e.com/r' to='room@rooms.test/n'><x xmlns='http://jabber.org/protocol/muc'>"
                   "<history since='yesterday'/></x></presence>")
            .error->condition == core::ErrorCondition::bad_request);
  CHECK(decode_str("<presence from='a@e.com/r' to='room@rooms.test/n' type='subscribe'/>").ignore);
}

TEST_CASE("presence from a joined session: update, nick change, leave with status (classified by core)") {
  World w;
  w.cfg.domain = kDomain;
  REQUIRE(w.join("alice@e.com/r", "alice", {}, "room@rooms.test").ok());
  Decoded upd = decode_str("<presence from='alice@e.com/r' to='room@rooms.test/alice'><show>dnd</show></presence>", w.svc);
  REQUIRE(upd.commands.size() == 1);
  const auto& up = std::get<core::Presence>(upd.commands[0]);
  CHECK(up.available);
  CHECK_FALSE(up.muc_x);
  CHECK(core::classify_presence(w.svc, up) == core::PresenceKind::update);
  CHECK(*upd.presence_payload == "<show>dnd</show>");

  Decoded nick = decode_str("<presence from='alice@e.com/r' to='room@rooms.test/ally'/>", w.svc);
  REQUIRE(nick.commands.size() == 1);
  const auto& np = std::get<core::Presence>(nick.commands[0]);
  CHECK(np.nick == "ally");
  CHECK(core::classify_presence(w.svc, np) == core::PresenceKind::nick_change);
  core::Decision renamed = w.run(nick.commands[0]);
  REQUIRE(renamed.ok());
  REQUIRE(renamed.events.size() == 1);
  CHECK(renamed.events[0].type == core::EventType::nick_changed);
  CHECK(w.svc.find("room@rooms.test")->occupant_by_nick("ally") != nullptr);

  Decoded leave = decode_str(
      "<presence from='alice@e.com/r' to='room@rooms.test/ally' type='unavailable'><status>bye</status></presence>", w.svc);
  REQUIRE(leave.commands.size() == 1);
  const auto& lp = std::get<core::Presence>(leave.commands[0]);
  CHECK_FALSE(lp.available);
  CHECK(lp.status == "bye");
  CHECK(core::classify_presence(w.svc, lp) == core::PresenceKind::leave);
  CHECK(*leave.presence_payload == "<status>bye</status>");
}

TEST_CASE("groupchat: payload is the children, room-only elements stripped, has_body") {
  Decoded d = decode_str(
      "<message from='a@e.com/r' to='room@rooms.test' type='groupchat' id='m1'>"
      "<body>hi &amp; bye</body><encrypted xmlns='eu.siacs.conversations.axolotl'><payload>QUJD</payload></encrypted>"
      "<stanza-id xmlns='urn:xmpp:sid:0' id='forged' by='room@rooms.test'/>"
      "<occupant-id xmlns='urn:xmpp:occupant-id:0' id='forged'/></message>");
  REQUIRE(d.commands.size() == 1);
  const auto& g = std::get<core::SendGroupchat>(d.commands[0]);
  CHECK(g.has_body);
  CHECK(g.room == "room@rooms.test");
  CHECK(contains(g.payload, "<body>hi &amp; bye</body>"));
  CHECK(contains(g.payload, "<encrypted xmlns='eu.siacs.conversations.axolotl'><payload>QUJD</payload></encrypted>"));
  CHECK_FALSE(contains(g.payload, "forged"));
  CHECK(d.env.id == "m1");

  Decoded state = decode_str("<message from='a@e.com/r' to='room@rooms.test' type='groupchat'>"
                             "<composing xmlns='http://jabber.org/protocol/chatstates'/></message>");
  CHECK_FALSE(std::get<core::SendGroupchat>(state.commands[0]).has_body);
}

TEST_CASE("subject, private messages, invitations") {
  Decoded s = decode_str("<message from='a@e.com/r' to='room@rooms.test' type='groupchat'><subject>Plans</subject></message>");
  CHECK(std::get<core::ChangeSubject>(s.commands[0]).subject == "Plans");

  Decoded pm = decode_str("<message from='a@e.com/r' to='room@rooms.test/Bob' type='chat'><body>psst</body></message>");
  const auto& p = std::get<core::SendPrivate>(pm.commands[0]);
  CHECK(p.to_nick == "Bob");
  CHECK(p.payload == "<body>psst</body>");
  CHECK(decode_str("<message from='a@e.com/r' to='room@rooms.test/Bob' type='groupchat'><body>x</body></message>")
            .error->condition == core::ErrorCondition::bad_request);

  Decoded inv = decode_str(
      "<message from='a@e.com/r' to='room@rooms.test'><x xmlns='http://jabber.org/protocol/muc#user'>"
      "<invite to='carol@e.com'><reason>join us</reason></invite><password>pw</password></x></message>");
  const auto& i = std::get<core::Invite>(inv.commands[0]);
  CHECK(i.invitee.full() == "carol@e.com");
  CHECK(i.reason == "join us");
  CHECK(i.password == "pw");
  CHECK(decode_str("<message from='a@e.com/r' to='room@rooms.test'><body>x</body></message>").error->condition ==
        core::ErrorCondition::bad_request);
  CHECK(decode_str("<message from='a@e.com/r' to='room@rooms.test' type='error'/>").ignore);
}

TEST_CASE("admin IQs: kick, voice, ban, lists") {
  Decoded kick = decode_str(
      "<iq from='o@e.com/r' to='room@rooms.test' type='set' id='k'><query xmlns='http://jabber.org/protocol/muc#admin'>"
      "<item nick='bob' role='none'><reason>spam</reason></item></query></iq>");
  const auto& k = std::get<core::SetRole>(kick.commands[0]);
  CHECK(k.nick == "bob");
  CHECK(k.role == core::Role::none);
  CHECK(k.reason == "spam");
  CHECK(k.by.jid.full() == "o@e.com/r");

  Decoded ban = decode_str(
      "<iq from='o@e.com/r' to='room@rooms.test' type='set' id='b'><query xmlns='http://jabber.org/protocol/muc#admin'>"
      "<item jid='Bob@E.com/phone' affiliation='outcast'/><item jid='carol@e.com' affiliation='member'/></query></iq>");
  REQUIRE(ban.commands.size() == 2);
  CHECK(std::get<core::SetAffiliation>(ban.commands[0]).target.full() == "bob@e.com");  // bare, normalised
  CHECK(std::get<core::SetAffiliation>(ban.commands[0]).affiliation == core::Affiliation::outcast);
  CHECK(std::get<core::SetAffiliation>(ban.commands[1]).affiliation == core::Affiliation::member);

  Decoded list = decode_str("<iq from='o@e.com/r' to='room@rooms.test' type='get' id='l'>"
                            "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='outcast'/></query></iq>");
  REQUIRE(list.query);
  CHECK(list.query->what == Query::What::affiliation_list);
  CHECK(list.query->affiliation == core::Affiliation::outcast);

  CHECK(decode_str("<iq from='o@e.com/r' to='room@rooms.test' type='set' id='x'>"
                   "<query xmlns='http://jabber.org/protocol/muc#admin'><item role='king' nick='b'/></query></iq>")
            .error->condition == core::ErrorCondition::bad_request);
}

TEST_CASE("owner IQs: config form submit maps to ConfigChange, instant room, cancel, destroy") {
  Decoded d = decode_str(
      "<iq from='o@e.com/r' to='room@rooms.test' type='set' id='c'><query xmlns='http://jabber.org/protocol/muc#owner'>"
      "<x xmlns='jabber:x:data' type='submit'>"
      "<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>"
      "<field var='muc#roomconfig_roomname'><value>Planning</value></field>"
      "<field var='muc#roomconfig_roomdesc'><value>Where we plan</value></field>"
      "<field var='muc#roomconfig_persistentroom'><value>1</value></field>"
      "<field var='muc#roomconfig_publicroom'><value>0</value></field>"
      "<field var='muc#roomconfig_passwordprotectedroom'><value>true</value></field>"
      "<field var='muc#roomconfig_roomsecret'><value>s3</value></field>"
      "<field var='muc#roomconfig_membersonly'><value>1</value></field>"
      "<field var='muc#roomconfig_moderatedroom'><value>1</value></field>"
      "<field var='muc#roomconfig_maxusers'><value>30</value></field>"
      "<field var='muc#roomconfig_whois'><value>anyone</value></field>"
      "<field var='muc#roomconfig_changesubject'><value>1</value></field>"
      "<field var='muc#roomconfig_historylength'><value>5</value></field>"
      "<field var='muc#roomconfig_allowpm'><value>none</value></field>"
      "<field var='muc#roomconfig_locked'><value>1</value></field>"
      "</x></query></iq>");
  REQUIRE_FALSE(d.error);
  const auto& c = std::get<core::Configure>(d.commands[0]).change;
  CHECK(c.name == std::optional<std::string>("Planning"));
  CHECK(c.description == std::optional<std::string>("Where we plan"));
  CHECK(c.persistent == true);
  CHECK(c.is_public == false);
  CHECK(c.password_protected == true);
  CHECK(c.password == std::optional<std::string>("s3"));
  CHECK(c.members_only == true);
  CHECK(c.moderated == true);
  CHECK(c.max_occupants == 30u);
  CHECK(c.whois == core::Whois::anyone);
  CHECK(c.occupants_may_change_subject == true);
  CHECK(c.history_length == 5u);
  CHECK(c.allow_private_messages == false);
  CHECK(c.locked == true);

  Decoded instant = decode_str("<iq from='o@e.com/r' to='room@rooms.test' type='set' id='i'>"
                               "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'/></query></iq>");
  const auto& ic = std::get<core::Configure>(instant.commands[0]).change;
  CHECK_FALSE(ic.name);
  CHECK_FALSE(ic.locked);

  Decoded cancel = decode_str("<iq from='o@e.com/r' to='room@rooms.test' type='set' id='x'>"
                              "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='cancel'/></query></iq>");
  CHECK(std::holds_alternative<core::CancelConfiguration>(cancel.commands[0]));

  Decoded destroy = decode_str(
      "<iq from='o@e.com/r' to='room@rooms.test' type='set' id='d'><query xmlns='http://jabber.org/protocol/muc#owner'>"
      "<destroy jid='new@rooms.test'><reason>moved</reason></destroy></query></iq>");
  const auto& ds = std::get<core::DestroyRoom>(destroy.commands[0]);
  CHECK(ds.reason == "moved");
  CHECK(ds.alternate_venue == "new@rooms.test");

  CHECK(decode_str("<iq from='o@e.com/r' to='room@rooms.test' type='set' id='x'><query xmlns='http://jabber.org/protocol/muc#owner'>"
                   "<x xmlns='jabber:x:data' type='submit'><field var='muc#roomconfig_maxusers'><value>many</value></field></x>"
                   "</query></iq>")
            .error->condition == core::ErrorCondition::not_acceptable);
}

TEST_CASE("IQ routing: disco, ping, self-ping, unknown namespaces get service-unavailable") {
  CHECK(decode_str("<iq from='a@e.com/r' to='rooms.test' type='get' id='1'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>")
            .query->what == Query::What::service_info);
  CHECK(decode_str("<iq from='a@e.com/r' to='rooms.test' type='get' id='1'><query xmlns='http://jabber.org/protocol/disco#items'/></iq>")
            .query->what == Query::What::service_items);
  CHECK(decode_str("<iq from='a@e.com/r' to='r@rooms.test' type='get' id='1'><query xmlns='http://jabber.org/protocol/disco#info'/></iq>")
            .query->what == Query::What::room_info);
  CHECK(decode_str("<iq from='a@e.com/r' to='r@rooms.test' type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>").query->what ==
        Query::What::ping);
  CHECK(decode_str("<iq from='a@e.com/r' to='r@rooms.test/me' type='get' id='1'><ping xmlns='urn:xmpp:ping'/></iq>").query->what ==
        Query::What::self_ping);
  for (const char* to : {"rooms.test", "r@rooms.test"}) {
    Decoded d = decode_str(std::string("<iq from='a@e.com/r' to='") + to +
                           "' type='get' id='1'><query xmlns='jabber:iq:version'/></iq>");
    REQUIRE(d.error);
    CHECK(d.error->condition == core::ErrorCondition::service_unavailable);
    CHECK(d.error->type == core::ErrorType::cancel);
  }
  CHECK(decode_str("<iq from='a@e.com/r' to='r@rooms.test' type='result' id='1'/>").ignore);
  // Answers to IQs the room routed between occupants come back to room/nick.
  CHECK(decode_str("<iq from='a@e.com/r' to='r@rooms.test/bob' type='result' id='1'/>").query->what ==
        Query::What::occupant_iq_response);
  CHECK(decode_str("<iq from='a@e.com/r' to='r@rooms.test/bob' type='get' id='1'><vCard xmlns='vcard-temp'/></iq>")
            .query->what == Query::What::occupant_iq);
  CHECK(decode_str("<iq from='a@e.com/r' to='r@rooms.test' type='get' id='1'/>").error->condition ==
        core::ErrorCondition::bad_request);
}

