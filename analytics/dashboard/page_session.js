// One occupant session: who, with which client, when (GET /v1/users/{sessionid}), and the
// events it was the actor of (GET /v1/users/{sessionid}/events, paged).
import { get } from "./api.js";
import { errorBox, h, when } from "./dom.js";
import { events } from "./page_room.js";

export async function render(root, { arg }) {
  let u;
  try {
    u = await get(`/v1/users/${encodeURIComponent(arg)}`);
  } catch (err) {
    root.append(h("p", null, h("a", { href: "#/rooms" }, "← Rooms")), errorBox(err));
    return;
  }
  const fact = (label, value, key) => h("div", null, h("div", { class: "stat-label" }, label), h("div", { "data-k": key }, value || "–"));
  root.append(h("p", null, h("a", { href: `#/room/${u.room_id}` }, "← Room")),
    h("h1", null, `Session of ${u.nick || u.sessionid}`),
    h("div", { class: "card grid", id: "session-facts" },
      fact("User", u.userid, "userid"), fact("Nick", u.nick, "nick"), fact("Role", u.role, "role"),
      fact("Affiliation", u.affiliation, "affiliation"), fact("Type", u.type, "type"), fact("OS", u.os, "os"),
      fact("Browser", u.browser, "browser"), fact("Joined", when(u.created), "created"),
      fact("Left", u.active ? "present now" : `${when(u.ended)} (${u.ended_reason || "–"})`, "ended"),
      fact("Session id", u.sessionid, "sessionid")));
  const section = h("section", { id: "events" }, h("h2", null, "Events of this session"));
  root.append(section);
  await events(section, `/v1/users/${encodeURIComponent(u.sessionid)}`);
}
