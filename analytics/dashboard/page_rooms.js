// Rooms: the newest first, paged (GET /v1/rooms?page=&per_page=), searched by name (the
// API's `name` filter is an exact name) or by a room's JID or id and narrowed to active rooms. `per_page` in the
// address overrides the page size.
import { get } from "./api.js";
import { errorBox, figure, h, table, td, tdNum, when } from "./dom.js";

export const PER_PAGE = 25;

// The page of one room (or of none) that a JID or id names.
async function one(address) {
  try {
    const room = await get(`/v1/rooms/${encodeURIComponent(address)}`);
    return { items: [room], page: 1, total: 1 };
  } catch (err) {
    if (err.status === 404) return { items: [], page: 1, total: 0 };
    throw err;
  }
}

export async function render(root, { params, navigate }) {
  const q = params.get("q") || "";
  const page = Math.max(1, parseInt(params.get("page") || "1", 10) || 1);
  const active = params.get("active") === "1";
  const perPage = Math.min(1000, Math.max(1, parseInt(params.get("per_page") || String(PER_PAGE), 10) || PER_PAGE));
  const search = h("input", { type: "search", name: "q", value: q, placeholder: "room name, JID or id", "aria-label": "Room name, JID or id" });
  const onlyActive = h("input", { type: "checkbox", name: "active", checked: active });
  const go = (p) => {
    const next = new URLSearchParams();
    if (search.value) next.set("q", search.value);
    if (onlyActive.checked) next.set("active", "1");
    if (p > 1) next.set("page", String(p));
    if (perPage !== PER_PAGE) next.set("per_page", String(perPage));
    navigate(next);
  };
  root.append(h("h1", null, "Rooms"),
    h("form", { class: "period", role: "search", onsubmit: (e) => { e.preventDefault(); go(1); } },
      h("label", null, "Name", search), h("label", null, "Active only", onlyActive), h("button", { type: "submit" }, "Search")));
  let data;
  try {
    // A room's JID or id names one room (GET /v1/rooms/{id} resolves either): that room alone.
    const byAddress = /@|^[0-9a-f]{8}-[0-9a-f]{4}-/i.test(q);
    data = byAddress ? await one(q) : await get("/v1/rooms", { name: q || undefined, active: active ? "true" : undefined, page, per_page: perPage });
  } catch (err) {
    root.append(errorBox(err));
    return;
  }
  const pages = Math.max(1, Math.ceil(data.total / perPage));
  const pager = () => h("div", { class: "pager" },
    h("button", { type: "button", "data-pager": "prev", disabled: page <= 1, onclick: () => go(page - 1) }, "← Newer"),
    h("span", null, "page ", figure("page", data.page), " of ", figure("pages", pages), " · ", figure("total", data.total), " rooms"),
    h("button", { type: "button", "data-pager": "next", disabled: page >= pages, onclick: () => go(page + 1) }, "Older →"));
  root.append(pager(), table(
    ["Room", "Created", "Ended", { label: "Occupants", num: true }, { label: "Events", num: true }],
    data.items.map((r) => h("tr", { "data-room": r.id },
      td(h("a", { href: `#/room/${encodeURIComponent(r.id)}` }, r.name || r.jid), { title: r.jid }),
      td(when(r.created)), td(r.active ? h("span", null, h("span", { class: "live" }), "active") : when(r.ended)),
      tdNum("occupants", r.occupants), tdNum("event_count", r.event_count))),
    { id: "rooms" }), pager());
  if (data.items.length === 0) root.append(h("p", { class: "muted" }, "No rooms match."));
}
