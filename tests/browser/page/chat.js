// A small group chat client for a mucstream room, in plain JS on @xmpp/client's browser
// bundle (the global XMPP). What a web client needs: join (no join history: the archive
// is the history), send, show what the room relays, page the archive backwards (XEP-0313
// with XEP-0059 paging), correct (XEP-0308) and retract (XEP-0424) its own messages.
//
// Query string: ws (WebSocket URL), domain, user, pw, room (bare JID), nick, page (MAM
// page size). window.chat exposes the client's state so a test can read what a user sees.
"use strict";

const NS = {
  muc: "http://jabber.org/protocol/muc",
  mucUser: "http://jabber.org/protocol/muc#user",
  disco: "http://jabber.org/protocol/disco#info",
  sid: "urn:xmpp:sid:0",
  mam: "urn:xmpp:mam:2",
  rsm: "http://jabber.org/protocol/rsm",
  forward: "urn:xmpp:forward:0",
  delay: "urn:xmpp:delay",
  correct: "urn:xmpp:message-correct:0",
  retract: "urn:xmpp:message-retract:1",
  fallback: "urn:xmpp:fallback:0",
  hints: "urn:xmpp:hints",
};

const params = new URLSearchParams(location.search);
const room = params.get("room");
const nick = params.get("nick");
const pageSize = Number(params.get("page") || 10);
const { client, xml } = XMPP;

const chat = {
  joined: false,
  features: [],
  occupants: [],
  errors: [],
  archiveQueries: 0,
  archiveComplete: false,
  loading: false,
  // What the log shows, oldest first: {stanzaId, clientId, nick, body, edited, retracted}.
  messages() {
    return [...document.querySelectorAll("#log li")].map((li) => ({
      stanzaId: li.dataset.stanzaId,
      clientId: li.dataset.clientId,
      nick: li.querySelector(".nick").textContent,
      body: li.classList.contains("retracted") ? null : li.querySelector(".body").textContent,
      edited: li.classList.contains("edited"),
      retracted: li.classList.contains("retracted"),
    }));
  },
};
window.chat = chat;

const $ = (sel) => document.querySelector(sel);
const status = (text) => { $("#status").textContent = text; };
let editing = null;  // the <li> being corrected, or null
let oldestArchiveId = null;
const pendingResults = new Map();  // queryid -> [archived message]

const xmppClient = client({
  service: params.get("ws"),
  domain: params.get("domain") || "localhost",
  username: params.get("user"),
  password: params.get("pw"),
  resource: "browser-" + Math.random().toString(36).slice(2, 8),
});
xmppClient.reconnect.stop();  // a test wants to see a failure, not a retry loop

xmppClient.on("error", (err) => { chat.errors.push(String(err)); status("error: " + err); });
xmppClient.on("stanza", onStanza);
xmppClient.on("online", async () => {
  status("online");
  await xmppClient.send(xml("presence"));
  try {
    const info = await xmppClient.iqCaller.request(
      xml("iq", { type: "get", to: room }, xml("query", { xmlns: NS.disco })), 10000);
    chat.features = info.getChild("query", NS.disco).getChildren("feature").map((f) => f.attrs.var);
  } catch (err) {
    // A room that does not exist yet answers item-not-found: we create it by joining.
    chat.features = [];
  }
  await xmppClient.send(xml("presence", { to: room + "/" + nick },
    xml("x", { xmlns: NS.muc }, xml("history", { maxstanzas: "0" }))));
});

$("#room").textContent = room;
$("#compose").addEventListener("submit", (ev) => { ev.preventDefault(); sendText(); });
$("#older").addEventListener("click", () => loadOlder());
xmppClient.start().catch((err) => { chat.errors.push(String(err)); status("failed: " + err); });

function newId() {
  return crypto.randomUUID();
}

async function sendText() {
  const text = $("#text").value.trim();
  if (!text) return;
  const id = newId();
  const children = [xml("body", {}, text), xml("origin-id", { xmlns: NS.sid, id })];
  if (editing) {
    // XEP-0308: the correction names the original by the id its author gave it.
    children.push(xml("replace", { xmlns: NS.correct, id: editing.dataset.clientId }));
    editing = null;
    $("#mode").textContent = "";
  }
  await xmppClient.send(xml("message", { to: room, type: "groupchat", id }, ...children));
  $("#text").value = "";
}

function startEdit(li) {
  editing = li;
  $("#mode").textContent = "Correcting:";
  $("#text").value = li.querySelector(".body").textContent;
  $("#text").focus();
}

async function retract(li) {
  // XEP-0424: in a room the retraction names the stanza-id the room stamped.
  await xmppClient.send(xml("message", { to: room, type: "groupchat", id: newId() },
    xml("retract", { xmlns: NS.retract, id: li.dataset.stanzaId }),
    xml("fallback", { xmlns: NS.fallback, for: NS.retract }),
    xml("body", {}, "This person attempted to retract a previous message, but it's unsupported by your client."),
    xml("store", { xmlns: NS.hints })));
}

async function loadOlder() {
  if (chat.loading || chat.archiveComplete) return;
  chat.loading = true;
  $("#older").disabled = true;
  const queryid = "q" + (++chat.archiveQueries);
  pendingResults.set(queryid, []);
  try {
    const set = xml("set", { xmlns: NS.rsm }, xml("max", {}, String(pageSize)),
      oldestArchiveId ? xml("before", {}, oldestArchiveId) : xml("before"));
    const iq = await xmppClient.iqCaller.request(
      xml("iq", { type: "set", to: room }, xml("query", { xmlns: NS.mam, queryid }, set)), 15000);
    const fin = iq.getChild("fin", NS.mam);
    const page = pendingResults.get(queryid);
    // A page comes oldest first; prepend it above what the log holds, skipping what the log
    // already shows (the newest page overlaps the messages seen live).
    const first = $("#log").firstChild;
    for (const m of page) {
      if (document.querySelector(`#log li[data-stanza-id="${CSS.escape(m.stanzaId)}"]`)) continue;
      $("#log").insertBefore(renderItem(m), first);
    }
    if (page.length > 0) oldestArchiveId = page[0].stanzaId;
    chat.archiveComplete = fin.attrs.complete === "true" || page.length === 0;
  } catch (err) {
    chat.errors.push("archive: " + err);
  } finally {
    pendingResults.delete(queryid);
    chat.loading = false;
    $("#older").disabled = chat.archiveComplete;
    $("#older").textContent = chat.archiveComplete ? "Beginning of the archive" : "Load older messages";
  }
}

function onStanza(stanza) {
  if (stanza.is("presence")) return onPresence(stanza);
  if (!stanza.is("message")) return;
  if (stanza.attrs.type === "error") {
    chat.errors.push("message error: " + stanza.toString());
    return;
  }
  const result = stanza.getChild("result", NS.mam);
  if (result) return onArchived(result);
  const from = stanza.attrs.from || "";
  if (stanza.attrs.type !== "groupchat" || !from.startsWith(room)) return;
  const sender = from.slice(room.length + 1);
  const retraction = stanza.getChild("retract", NS.retract);
  if (retraction) return markRetracted(retraction.attrs.id);
  const body = stanza.getChildText("body");
  if (body === null) return;  // subject, chat state, ...
  const replace = stanza.getChild("replace", NS.correct);
  if (replace) return applyCorrection(sender, replace.attrs.id, body);
  const stanzaId = roomStanzaId(stanza);
  if (stanzaId && document.querySelector(`#log li[data-stanza-id="${CSS.escape(stanzaId)}"]`)) return;
  $("#log").appendChild(renderItem({ stanzaId, clientId: clientIdOf(stanza), nick: sender, body }));
  $("#log").scrollTop = $("#log").scrollHeight;
}

function onPresence(stanza) {
  const from = stanza.attrs.from || "";
  if (!from.startsWith(room + "/")) return;
  const who = from.slice(room.length + 1);
  const x = stanza.getChild("x", NS.mucUser);
  if (stanza.attrs.type === "error") {
    chat.errors.push("join error: " + stanza.toString());
    status("join refused");
    return;
  }
  if (stanza.attrs.type === "unavailable") {
    chat.occupants = chat.occupants.filter((n) => n !== who);
  } else if (!chat.occupants.includes(who)) {
    chat.occupants.push(who);
  }
  $("#occupants").replaceChildren(...chat.occupants.map((n) => {
    const li = document.createElement("li");
    li.textContent = n;
    return li;
  }));
  const self = x && x.getChildren("status").some((s) => s.attrs.code === "110");
  if (self && stanza.attrs.type !== "unavailable" && !chat.joined) {
    chat.joined = true;
    status("joined as " + who);
    for (const el of ["#text", "#send"]) $(el).disabled = false;
    // Archive paging only where the room says it keeps one.
    $("#older").disabled = !chat.features.includes(NS.mam);
  }
}

function onArchived(result) {
  const page = pendingResults.get(result.attrs.queryid);
  const forwarded = result.getChild("forwarded", NS.forward);
  if (!page || !forwarded) return;
  const msg = forwarded.getChild("message");
  const from = (msg && msg.attrs.from) || "";
  page.push({
    stanzaId: result.attrs.id,
    clientId: msg ? clientIdOf(msg) : "",
    nick: from.slice(room.length + 1),
    body: msg ? msg.getChildText("body") : null,
    edited: !!(msg && msg.getChild("replace", NS.correct)),
    retracted: !!(msg && msg.getChild("retracted", NS.retract)),
    stamp: forwarded.getChild("delay", NS.delay)?.attrs.stamp,
  });
}

function roomStanzaId(stanza) {
  const sid = stanza.getChildren("stanza-id", NS.sid).find((s) => s.attrs.by === room);
  return sid ? sid.attrs.id : "";
}

function clientIdOf(stanza) {
  const origin = stanza.getChild("origin-id", NS.sid);
  return origin ? origin.attrs.id : (stanza.attrs.id || "");
}

function findItem(id) {
  return [...document.querySelectorAll("#log li")].find(
    (li) => li.dataset.stanzaId === id || (li.dataset.clientId && li.dataset.clientId === id));
}

function applyCorrection(sender, id, body) {
  const li = findItem(id);
  if (!li || li.querySelector(".nick").textContent !== sender) return;  // only the author's own
  li.querySelector(".body").textContent = body;
  li.classList.add("edited");
}

function markRetracted(stanzaId) {
  const li = findItem(stanzaId);
  if (li) li.classList.add("retracted");
}

function renderItem(m) {
  const li = document.createElement("li");
  li.className = "msg";
  li.dataset.stanzaId = m.stanzaId || "";
  li.dataset.clientId = m.clientId || "";
  const nickEl = document.createElement("span");
  nickEl.className = "nick";
  nickEl.textContent = m.nick;
  const bodyEl = document.createElement("span");
  bodyEl.className = "body";
  bodyEl.textContent = m.body ?? "";
  const mark = document.createElement("span");
  mark.className = "mark";
  mark.textContent = "(edited)";
  const tomb = document.createElement("span");
  tomb.className = "tombstone";
  tomb.textContent = "This message was retracted";
  li.append(nickEl, bodyEl, mark, tomb);
  if (m.edited) li.classList.add("edited");
  if (m.retracted) li.classList.add("retracted");
  if (m.nick === nick) {
    li.classList.add("own");
    for (const [label, action] of [["Edit", startEdit], ["Retract", retract]]) {
      const b = document.createElement("button");
      b.type = "button";
      b.className = label.toLowerCase();
      b.textContent = label;
      b.addEventListener("click", () => action(li));
      li.append(b);
    }
  }
  return li;
}
