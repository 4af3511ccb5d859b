// One room: its report, occupancy over time (GET /v1/rooms/{id}/occupancy), media states and
// P2P sessions with their quality (GET /v1/rooms/{id}/timeline), its sessions
// (GET /v1/rooms/{id}/users) and its event timeline (GET /v1/rooms/{id}/events, paged).
import { get } from "./api.js";
import { lineChart } from "./charts.js";
import { errorBox, figure, h, seconds, table, td, tdNum, when } from "./dom.js";

const EVENTS_PAGE = 100;

// Every section is asked for at once (each route resolves the room's id, JID or local part
// itself); only the room's P2P quality waits for the room, whose lifetime is its period.
export async function render(root, { arg }) {
  const path = `/v1/rooms/${encodeURIComponent(arg)}`;
  const head = h("div", { id: "room-head" });
  const sections = {
    occupancy: h("section", { id: "occupancy" }, h("h2", null, "Occupancy over time")),
    media: h("section", { id: "media" }, h("h2", null, "Media states")),
    p2p: h("section", { id: "p2p" }, h("h2", null, "P2P sessions and their quality")),
    users: h("section", { id: "sessions" }, h("h2", null, "Sessions")),
    events: h("section", { id: "events" }, h("h2", null, "Event timeline")),
  };
  const quality = h("div", { id: "room-p2p-quality-box" });
  sections.p2p.append(quality);
  root.append(h("p", null, h("a", { href: "#/rooms" }, "← Rooms")), head, ...Object.values(sections));
  const roomLoaded = get(path).then((room) => {
    head.append(h("h1", null, `Room ${room.name || room.jid}`),
      h("div", { class: "card grid", id: "room-facts" },
        fact("JID", room.jid), fact("Created", when(room.created)),
        fact("Ended", room.active ? "active now" : `${when(room.ended)} (${room.ended_reason || "–"})`),
        fact("Occupants now", figure("occupants", room.occupants)), fact("Events", figure("event_count", room.event_count)),
        fact("Persistent", room.persistent ? "yes" : "no")),
      reportCard(room.reports));
    return p2pQuality(quality, room);
  }, (err) => {
    // No such room: one error, not one per section.
    for (const el of Object.values(sections)) el.remove();
    head.append(errorBox(err));
  });
  await Promise.all([
    roomLoaded,
    occupancy(sections.occupancy, path),
    timeline(sections.media, sections.p2p, path),
    users(sections.users, path),
    events(sections.events, path),
  ]);
}

function fact(label, value) {
  return h("div", null, h("div", { class: "stat-label" }, label), h("div", null, value));
}

function reportCard(r) {
  const card = h("section", { class: "card", id: "report" }, h("h2", null, "Room report"));
  if (!r) return card.append(h("p", { class: "muted" }, "No report yet (no joins materialised).")), card;
  const ms = (v) => (v === null || v === undefined ? null : v / 1000);
  card.append(h("div", { class: "grid" },
    fact("Duration", seconds(ms(r.duration_ms))), fact("Participants", figure("report.participants", r.participants)),
    fact("Sessions", figure("report.sessions", r.sessions)), fact("Peak participants", figure("report.peak_participants", r.peak_participants)),
    fact("Peak sessions", figure("report.peak_sessions", r.peak_sessions)), fact("Initial wait", seconds(ms(r.initial_wait_ms))),
    fact("Usable time (2+ present)", seconds(ms(r.usable_ms))),
    fact("P2P sessions", r.p2p ? figure("report.p2p.count", r.p2p.count) : "–")));
  const people = r.participant_times || [];
  if (people.length) {
    card.append(table(["Participant", "Nick", { label: "Sessions", num: true }, { label: "Present", num: true }, { label: "Speaking", num: true }],
      people.map((p) => h("tr", null, td(p.userid || p.occupant_id), td(p.nick), tdNum("report.person.sessions", p.sessions),
        h("td", { class: "num" }, seconds(ms(p.present_ms))), h("td", { class: "num" }, seconds(ms(p.speaking_ms)))))));
  }
  return card;
}

async function occupancy(el, path) {
  try {
    const data = await get(`${path}/occupancy`);
    const pts = data.points.map((p) => ({ t: Date.parse(p.time), v: p.occupants }));
    el.append(lineChart("Occupants over time", [{ name: "occupants", points: pts }], { step: true }),
      h("p", { class: "muted" }, figure("occupancy.points", data.points.length), " changes; at most ",
        figure("occupancy.max", Math.max(0, ...data.points.map((p) => p.occupants))), " present at once."));
  } catch (err) {
    el.append(errorBox(err));
  }
}

async function timeline(mediaEl, p2pEl, path) {
  let data;
  try {
    data = await get(`${path}/timeline`);
  } catch (err) {
    mediaEl.append(errorBox(err));
    return;
  }
  const media = data.items.filter((i) => ["audio_paused", "video_paused", "screen_share"].includes(i.kind));
  mediaEl.append(media.length === 0 ? h("p", { class: "muted" }, "No paused audio or video, no screen shares.")
    : table(["What", "Who", "From", "To", { label: "Duration", num: true }],
      media.map((i) => h("tr", { "data-kind": i.kind }, td(i.kind.replace("_", " ")), td(i.nick), td(when(i.started)), td(when(i.ended)),
        h("td", { class: "num" }, seconds(i.duration_seconds)))), { id: "media-table" }));
  const p2p = data.items.filter((i) => i.kind === "p2p");
  p2pEl.append(p2p.length === 0 ? h("p", { class: "muted" }, "No P2P sessions.")
    : table(["Between", "Started", { label: "Duration", num: true }, "Outcome", { label: "Median RTT (ms)", num: true }, "Relayed"],
      p2p.map((i) => {
        const d = i.detail || {};
        return h("tr", { "data-kind": "p2p" }, td(`${i.nick} ↔ ${i.peer_nick || "?"}`), td(when(i.started)),
          h("td", { class: "num" }, seconds(i.duration_seconds)), td(d.outcome || i.end_source),
          tdNum("p2p.rtt_median_ms", d.rtt_median_ms ?? null, 1), td(d.relayed === undefined ? "–" : d.relayed ? "yes" : "no"));
      }), { id: "p2p-table" }));
}

// The quality of the room's P2P sessions over its lifetime (GET /v1/analytics/p2p?room=):
// the samples' RTT and loss, which the per-session rows only summarise as a median.
export function roomPeriod(room) {
  const end = room.ended ? Date.parse(room.ended) + 1000 : Date.now();
  return { since: room.created, until: new Date(end).toISOString() };
}

async function p2pQuality(el, room) {
  const box = h("div", { class: "card grid", id: "room-p2p-quality" });
  el.append(box);
  try {
    const p = await get("/v1/analytics/p2p", { room: room.id, ...roomPeriod(room) });
    box.append(fact("P2P sessions", figure("room_p2p.sessions.total", p.sessions.total)),
      fact("Completed / failed / interrupted", [figure("room_p2p.sessions.completed", p.sessions.completed), " / ",
        figure("room_p2p.sessions.failed", p.sessions.failed), " / ", figure("room_p2p.sessions.interrupted", p.sessions.interrupted)]),
      fact("Stats samples", figure("room_p2p.samples", p.samples)),
      fact("RTT median / p95 (ms)", [figure("room_p2p.rtt_ms.median", p.rtt_ms.median, 1), " / ", figure("room_p2p.rtt_ms.p95", p.rtt_ms.p95, 1)]),
      fact("Jitter mean (ms)", figure("room_p2p.jitter_ms.mean", p.jitter_ms.mean, 1)),
      fact("Packet loss mean / p95", [figure("room_p2p.packet_loss.mean", p.packet_loss.mean, 4), " / ", figure("room_p2p.packet_loss.p95", p.packet_loss.p95, 4)]),
      fact("Relayed share", figure("room_p2p.sessions.relayed_share", p.sessions.relayed_share, 2)));
  } catch (err) {
    box.append(errorBox(err));
  }
}

async function users(el, path) {
  try {
    const data = await get(`${path}/users`, { per_page: 200 });
    el.append(h("p", { class: "muted" }, figure("sessions.total", data.total), " sessions"),
      table(["Nick", "User", "Client", "Joined", "Left"], data.items.map((u) => h("tr", { "data-session": u.sessionid },
        td(h("a", { href: `#/session/${u.sessionid}` }, u.nick || u.sessionid)), td(u.userid),
        td([u.type, u.os, u.browser].filter(Boolean).join(" · ") || "–"), td(when(u.created)),
        td(u.active ? "present" : when(u.ended)))), { id: "sessions-table" }));
  } catch (err) {
    el.append(errorBox(err));
  }
}

// The room's events in order, a page at a time (keyset cursor: "more" asks for the next).
export async function events(el, path, extra = {}) {
  const rows = h("tbody", null);
  const more = h("button", { type: "button", "data-more": "1", hidden: true }, "More events");
  el.append(h("table", { id: "events-table" }, h("thead", null, h("tr", null,
    h("th", null, "Time"), h("th", null, "Type"), h("th", { class: "num" }, "Seq"), h("th", null, "Data"))), rows), more);
  let cursor;
  const load = async () => {
    try {
      const page = await get(`${path}/events`, { limit: EVENTS_PAGE, cursor, ...extra });
      for (const e of page.items) {
        rows.append(h("tr", { "data-event": e.id }, td(when(e.time)), td(e.type), td(String(e.seq), { class: "num" }),
          td(h("code", null, JSON.stringify(e.data)))));
      }
      cursor = page.next_cursor;
      more.hidden = !page.has_more;
    } catch (err) {
      el.append(errorBox(err));
    }
  };
  more.addEventListener("click", load);
  await load();
}
