"""A WebRTC-style call through a mucstream room, as real clients send it (docs/protocol.md
"Calls"). Shared by tests/e2e/test_calls.py (events read from the
component's JSON lines) and tests/e2e_pipeline/flow_calls.py (events read from PostgreSQL).

Alice (browser, mucstream <client/>), Bob (caps of a mobile client) and Carol join; Alice
calls Bob with Jingle through the room; both report stats; Carol's stats for their call and
a flood of Bob's are refused without disturbing the room; Alice mutes and unmutes, shares
her screen; Bob pauses video in presence; Carol types with real-time text; a malformed
Jingle IQ is still relayed; Bob leaves mid-call. Every step records the event it must cause
(type, actor nick, peer nick, data subset) in the order the room emits them.
"""
import json

from harness import *

NS_MS = "urn:xmpp:mucstream:0"
NS_JINGLE = "urn:xmpp:jingle:1"
NS_RTP = "urn:xmpp:jingle:apps:rtp:1"
NS_RTP_INFO = "urn:xmpp:jingle:apps:rtp:info:1"
NS_STATS = "urn:xmpp:mucstream:stats:0"
NS_RTT = "urn:xmpp:rtt:0"

ALICE_CLIENT = {"type": "browser", "os": "Linux", "browser": "Firefox",
                "useragent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"}
BOB_CLIENT = {"type": "mobile", "os": "Android", "browser": "Conversations"}  # from caps


def content(name, media, extra=""):
    return ("<content creator='initiator' name='%s' senders='both'>"
            "<description xmlns='%s' media='%s'>%s<payload-type id='111' name='opus' clockrate='48000'/></description>"
            "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='a1' pwd='secretsecretsecretsecret'/>"
            "</content>") % (name, NS_RTP, media, extra)


def jingle(action, sid, inner=""):
    return "<jingle xmlns='%s' action='%s' sid='%s'>%s</jingle>" % (NS_JINGLE, action, sid, inner)


def ids_in(pres):
    s = pres.find(q("session", NS_MS))
    assert s is not None, "presence without mucstream session ids: " + dump(pres)
    return s.get("id"), s.get("room-id")


def is_jingle(el, action):
    j = el.find(q("jingle", NS_JINGLE))
    return el.tag == q("iq") and el.get("type") == "set" and j is not None and j.get("action") == action


async def call_flow(prefix="call"):
    alice, bob, carol = await clients("alice", "bob", "carol")
    bob.answer_jingle()
    alice.answer_jingle()
    room = unique_room(prefix)
    expected = []  # (type, actor nick, peer nick | None, data subset)

    def expect_event(type_, actor, peer=None, **data):
        expected.append((type_, actor, peer, data))

    # --- joins: client info, ids in presences and disco -------------------------------
    alice.send_xml("<presence to='%s/Alice'><x xmlns='%s'/><client xmlns='%s' type='browser' os='Linux' "
                   "browser='Firefox' useragent='%s'/></presence>" % (room, NS_MUC, NS_MS, ALICE_CLIENT["useragent"]))
    pres = await alice.expect(lambda el: is_self_presence(el, room), 5, "alice's self-presence")
    alice_sid, room_id = ids_in(pres)
    assert pres.find(q("client", NS_MS)) is None, "client info is not relayed: " + dump(pres)
    await alice.expect(lambda el: el.tag == q("message") and el.find(q("subject")) is not None, 5, "subject")
    r = await alice.iq(room, "set", "<query xmlns='%s'><x xmlns='jabber:x:data' type='submit'/></query>" % NS_MUC_OWNER)
    assert r.get("type") == "result", dump(r)
    expect_event("room_created", "Alice")
    expect_event("occupant_joined", "Alice", client=ALICE_CLIENT)
    expect_event("room_configured", "Alice")

    bob.send_xml("<presence to='%s/Bob'><x xmlns='%s'/><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' "
                 "node='http://conversations.im' ver='q07IKJEyjvHSyhy//CH0CxmKi8w='/>"
                 "<media xmlns='%s' audio='active' video='active'/></presence>" % (room, NS_MUC, NS_MS))
    pres = await bob.expect(lambda el: is_self_presence(el, room), 5, "bob's self-presence")
    bob_sid, bob_room_id = ids_in(pres)
    assert bob_room_id == room_id and bob_sid != alice_sid, dump(pres)
    expect_event("occupant_joined", "Bob", client=BOB_CLIENT)  # media already active: no event
    # Bob sees Alice's presence with her session id (the peer id he reports against).
    seen = await bob.expect(lambda el: presence_from(el, room + "/Alice"), 5, "alice's presence")
    assert ids_in(seen) == (alice_sid, room_id), dump(seen)
    seen = await alice.expect(lambda el: presence_from(el, room + "/Bob"), 5, "bob's presence at alice")
    assert ids_in(seen) == (bob_sid, room_id), dump(seen)
    assert seen.find(q("media", NS_MS)) is not None, "the media element is relayed: " + dump(seen)
    await carol.join(room, "Carol")
    carol_pres = await alice.expect(lambda el: presence_from(el, room + "/Carol"), 5, "carol's presence")
    carol_sid = ids_in(carol_pres)[0]
    expect_event("occupant_joined", "Carol", client={})
    info = await carol.iq(room, "get", "<query xmlns='%s'/>" % NS_DISCO_INFO)
    fields = {f.get("var"): f.findtext(q("value", NS_DATA)) for f in info.iter(q("field", NS_DATA))}
    assert fields.get("muc#roominfo_room_id") == room_id, dump(info)

    # --- Alice calls Bob --------------------------------------------------------------
    sid = "call-" + uuid.uuid4().hex[:8]
    offer = content("voice", "audio") + content("webcam", "video")
    r = await alice.iq(room + "/Bob", "set", jingle("session-initiate", sid, offer))
    assert r.get("type") == "result" and r.get("from") == room + "/Bob", dump(r)
    got = await bob.expect(lambda el: is_jingle(el, "session-initiate"), 5, "session-initiate at bob")
    assert got.get("from") == room + "/Alice", dump(got)
    assert len(got.find(q("jingle", NS_JINGLE)).findall(q("content", NS_JINGLE))) == 2, "relayed unchanged: " + dump(got)
    r = await bob.iq(room + "/Alice", "set", jingle("session-accept", sid, offer))
    assert r.get("type") == "result", dump(r)
    await alice.expect(lambda el: is_jingle(el, "session-accept"), 5, "session-accept at alice")
    expect_event("p2p_session_started", "Alice", "Bob", sid=sid, media=["audio", "video"])

    # --- stats ------------------------------------------------------------------------
    stats = ("<stats xmlns='%s' sid='%s' rtt='42.5' jitter='3' packet-loss='0.01' bitrate-in='1500000' "
             "bitrate-out='1400000' resolution='1280x720' fps='30' local-candidate='host' remote-candidate='srflx'/>")
    r = await alice.iq(room, "set", stats % (NS_STATS, sid))
    assert r.get("type") == "result", dump(r)
    expect_event("p2p_session_stats", "Alice", "Bob", sid=sid, rtt_ms=42.5, jitter_ms=3, packet_loss=0.01,
                 bitrate_in=1500000, bitrate_out=1400000, resolution="1280x720", fps=30,
                 local_candidate_type="host", remote_candidate_type="srflx")
    # Someone else's session, an unknown sid, nonsense: errors, no events.
    r = await carol.iq(room, "set", stats % (NS_STATS, sid))
    assert r.get("type") == "error", "carol is not a party of the call: " + dump(r)
    r = await alice.iq(room, "set", stats % (NS_STATS, "no-such-sid"))
    assert r.get("type") == "error", dump(r)
    r = await alice.iq(room, "set", "<stats xmlns='%s' sid='%s' packet-loss='7'/>" % (NS_STATS, sid))
    assert error_condition(r) == ("bad-request", "modify"), dump(r)
    # A flood from Bob: the first few pass, the rest are refused; the room does not notice.
    ids = []
    for i in range(12):
        iq_id = "flood-%d" % i
        ids.append(iq_id)
        bob.send_xml("<iq type='set' to='%s' id='%s'><stats xmlns='%s' sid='%s' rtt='%d'/></iq>" % (room, iq_id, NS_STATS, sid, 10 + i))
    answers = [await bob.expect(lambda el, i=i: el.tag == q("iq") and el.get("id") == i, 5, "stats answer " + i) for i in ids]
    ok = [a for a in answers if a.get("type") == "result"]
    refused = [a for a in answers if a.get("type") == "error"]
    assert 1 <= len(ok) <= 6 and len(ok) + len(refused) == 12, [dump(a) for a in answers]
    assert all(error_condition(a) == ("resource-constraint", "wait") for a in refused), [dump(a) for a in refused]
    for i, a in enumerate(answers):
        if a.get("type") == "result":
            expect_event("p2p_session_stats", "Bob", "Alice", sid=sid, rtt_ms=10 + i)
    carol.send_xml("<message to='%s' type='groupchat'><body>still here?</body></message>" % room)
    for c in (alice, bob):
        await c.expect(lambda el: body(el) == "still here?", 5, "carol's message during the flood")
    expect_event("message_sent", "Carol")

    # --- mute / unmute (Jingle session-info) -------------------------------------------
    r = await alice.iq(room + "/Bob", "set", jingle("session-info", sid, "<mute xmlns='%s' creator='initiator' name='voice'/>" % NS_RTP_INFO))
    assert r.get("type") == "result", dump(r)
    expect_event("audio_paused", "Alice", source="jingle", sid=sid)
    r = await alice.iq(room + "/Bob", "set", jingle("session-info", sid, "<unmute xmlns='%s' creator='initiator' name='voice'/>" % NS_RTP_INFO))
    assert r.get("type") == "result", dump(r)
    expect_event("audio_resumed", "Alice", source="jingle", sid=sid)

    # --- media state in presence (Jitsi element, then the mucstream element) -----------
    bob.send_xml("<presence to='%s/Bob'><videomuted xmlns='http://jitsi.org/jitmeet/video'>true</videomuted></presence>" % room)
    seen = await alice.expect(lambda el: presence_from(el, room + "/Bob"), 5, "bob's videomuted presence")
    assert seen.find(q("videomuted", "http://jitsi.org/jitmeet/video")) is not None, dump(seen)
    expect_event("video_paused", "Bob", source="presence")
    bob.send_xml("<presence to='%s/Bob'><videomuted xmlns='http://jitsi.org/jitmeet/video'>true</videomuted></presence>" % room)
    await alice.expect(lambda el: presence_from(el, room + "/Bob"), 5, "bob's repeated presence")  # no change, no event
    bob.send_xml("<presence to='%s/Bob'><media xmlns='%s' video='active'/></presence>" % (room, NS_MS))
    await alice.expect(lambda el: presence_from(el, room + "/Bob"), 5, "bob's media presence")
    expect_event("video_resumed", "Bob", source="presence")

    # --- screen share (Jingle content-add / content-remove) ----------------------------
    screen = content("screen", "video", "<screen xmlns='%s'/>" % NS_MS)
    r = await alice.iq(room + "/Bob", "set", jingle("content-add", sid, screen))
    assert r.get("type") == "result", dump(r)
    expect_event("screencapture_started", "Alice", source="jingle", sid=sid)
    r = await alice.iq(room + "/Bob", "set", jingle("content-remove", sid, "<content creator='initiator' name='screen'/>"))
    assert r.get("type") == "result", dump(r)
    expect_event("screencapture_ended", "Alice", source="jingle", sid=sid)

    # --- real-time text (XEP-0301) -------------------------------------------------------
    def rtt(seq, event, text=""):
        ev = " event='%s'" % event if event else ""
        return ("<message to='%s' type='groupchat'><rtt xmlns='%s' seq='%d'%s>%s</rtt></message>"
                % (room, NS_RTT, seq, ev, "<t>%s</t>" % text if text else ""))
    is_rtt = lambda seq: lambda el: el.tag == q("message") and el.find(q("rtt", NS_RTT)) is not None \
        and el.find(q("rtt", NS_RTT)).get("seq") == str(seq)
    carol.send_xml(rtt(1, "init"))
    carol.send_xml(rtt(2, "new", "Hel"))
    carol.send_xml(rtt(3, None, "lo"))
    for c in (alice, bob):
        for s in (1, 2, 3):
            el = await c.expect(is_rtt(s), 5, "carol's rtt %d" % s)
            assert el.get("from") == room + "/Carol" and el.find(q("stanza-id", NS_SID)) is None, dump(el)
    expect_event("rtt_enabled", "Carol", source="rtt")
    carol.send_xml("<message to='%s' type='groupchat'><body>Hello</body><rtt xmlns='%s' seq='4'/></message>" % (room, NS_RTT))
    await alice.expect(lambda el: body(el) == "Hello", 5, "carol's final message")
    expect_event("message_sent", "Carol")
    carol.send_xml(rtt(5, "cancel"))
    await alice.expect(is_rtt(5), 5, "carol's rtt cancel")
    expect_event("rtt_disabled", "Carol", source="rtt")

    # --- malformed Jingle: relayed (the recipient judges it), nothing observed ------------
    alice.send_xml("<iq type='set' to='%s/Bob' id='bad-jingle'><jingle xmlns='%s' action='session-terminate'/></iq>" % (room, NS_JINGLE))
    got = await bob.expect(lambda el: is_jingle(el, "session-terminate"), 5, "the malformed terminate at bob")
    assert got.find(q("jingle", NS_JINGLE)).get("sid") is None, dump(got)
    await alice.expect(lambda el: el.tag == q("iq") and el.get("id") == "bad-jingle", 5, "bob's answer")

    # --- Bob leaves mid-call -------------------------------------------------------------
    bob.send_xml("<presence to='%s/Bob' type='unavailable'/>" % room)
    await alice.expect(lambda el: presence_from(el, room + "/Bob", "unavailable"), 5, "bob leaving")
    expect_event("p2p_session_ended", "Bob", "Alice", sid=sid, reason="left")
    expect_event("occupant_left", "Bob")
    # The room carries on: a message after the call.
    alice.send_xml("<message to='%s' type='groupchat'><body>bye Bob</body></message>" % room)
    await carol.expect(lambda el: body(el) == "bye Bob", 5, "alice's message after the call")
    expect_event("message_sent", "Alice")
    for c, nick in ((carol, "Carol"), (alice, "Alice")):
        c.send_xml("<presence to='%s/%s' type='unavailable'/>" % (room, nick))
        await c.expect(lambda el: el.tag == q("presence") and el.get("type") == "unavailable" and 110 in statuses(el), 5, "left")
    expect_event("occupant_left", "Carol")
    expect_event("occupant_left", "Alice")
    expect_event("room_destroyed", None)
    await alice.stop(); await bob.stop(); await carol.stop()
    return {"room": room, "room_id": room_id,
            "sessions": {"Alice": alice_sid, "Bob": bob_sid, "Carol": carol_sid},
            "expected": expected}


def check_events(flow, events):
    """events: the room's events in seq order, each a dict with type, actor, peer, data.
    Fails unless they are exactly the expected ones."""
    nick_of = {v: k for k, v in flow["sessions"].items()}
    who = lambda s: nick_of.get(s, s) if s else None  # the service's own events: "" (JSON lines) or NULL (SQL)
    got = [(e["type"], who(e["actor"]), who(e["peer"])) for e in events]
    want = [(t, a, p) for t, a, p, _ in flow["expected"]]
    if got != want:
        lines = ["%-3d %-48s %s" % (i, str(g), "" if i < len(want) and g == want[i]
                                      else "<-- want " + (str(want[i]) if i < len(want) else "nothing"))
                 for i, g in enumerate(got)]
        lines += ["    missing: " + str(w) for w in want[len(got):]]
        raise AssertionError("events differ from the expected call:\n" + "\n".join(lines))
    for e, (t, _, _, data) in zip(events, flow["expected"]):
        for k, v in data.items():
            have = e["data"].get(k)
            if isinstance(v, float):
                ok = isinstance(have, (int, float)) and abs(have - v) < 1e-9
            else:
                ok = have == v
            assert ok, "%s: data.%s is %r, want %r (%s)" % (t, k, have, v, json.dumps(e["data"]))
    started = next(e for e in events if e["type"] == "p2p_session_started")
    ended = next(e for e in events if e["type"] == "p2p_session_ended")
    assert ended["data"].get("duration_ms", 0) > 0, ended
    assert ended["data"]["sid"] == started["data"]["sid"]
