// Overview: rooms and sessions live now (refreshed every few seconds without a reload), per
// day/week/month over the period, and sessions by client type, OS and browser
// (GET /v1/analytics/overview).
import { get } from "./api.js";
import { barChart } from "./charts.js";
import { errorBox, figure, h, table, td, tdNum, when } from "./dom.js";
import { periodForm, selectOf } from "./period.js";

export const REFRESH_MS = 5000;

export async function render(root, { params, navigate }) {
  const bucket = params.get("bucket") || "day";
  const { form, from, to } = periodForm(params, navigate, { extra: [selectOf("bucket", "Per", ["day", "week", "month"], bucket)] });
  const live = h("div", { class: "grid", id: "live" });
  const updated = h("span", { class: "muted", id: "live-updated" }, "");
  const body = h("div", null);
  root.append(h("h1", null, "Overview"), form,
    h("div", { class: "card" }, h("h2", null, h("span", { class: "live" }), "Live now ",
      updated), live), body);

  const query = { from, to, bucket };
  const showLive = (data) => {
    live.replaceChildren(
      h("div", null, h("div", { class: "stat" }, figure("now.rooms", data.now.rooms)), h("div", { class: "stat-label" }, "rooms active")),
      h("div", null, h("div", { class: "stat" }, figure("now.sessions", data.now.sessions)), h("div", { class: "stat-label" }, "sessions present")));
    updated.textContent = `updated ${new Date().toISOString().slice(11, 19)} UTC`;
  };

  let data;
  try {
    data = await get("/v1/analytics/overview", query);
  } catch (err) {
    body.append(errorBox(err));
    return undefined;
  }
  showLive(data);
  const periods = data.periods || [];
  body.append(
    h("h2", null, `Rooms and sessions per ${bucket}`),
    h("div", { class: "grid" },
      h("div", null, h("h2", null, `Rooms active per ${bucket}`), barChart(`Rooms per ${bucket}`, periods.map((p) => ({ label: p.start.slice(0, 10), value: p.rooms })), { alt: true })),
      h("div", null, h("h2", null, `Sessions active per ${bucket}`), barChart(`Sessions per ${bucket}`, periods.map((p) => ({ label: p.start.slice(0, 10), value: p.sessions }))))),
    table(["Start", { label: "Rooms", num: true }, { label: "Sessions", num: true }],
      periods.map((p, i) => h("tr", { "data-row": i }, td(when(p.start)), tdNum(`periods.${i}.rooms`, p.rooms), tdNum(`periods.${i}.sessions`, p.sessions))),
      { id: "periods" }),
    h("h2", null, "Sessions by client"),
    h("div", { class: "grid" }, ["type", "os", "browser"].map((k) => {
      const rows = (data.sessions_by && data.sessions_by[k]) || [];
      return h("div", { class: "card" }, h("h2", null, k === "os" ? "OS" : k[0].toUpperCase() + k.slice(1)),
        table([k, { label: "Sessions", num: true }], rows.map((r, i) =>
          h("tr", null, td(r.value || "(unknown)"), tdNum(`sessions_by.${k}.${i}.sessions`, r.sessions))), { "data-by": k }));
    })));

  // Live counts refresh by themselves; the period's figures stay as loaded.
  // A hidden tab asks nothing; it catches up on the first tick after it is shown again.
  const timer = setInterval(async () => {
    if (document.hidden) return;
    try {
      showLive(await get("/v1/analytics/overview", query));
    } catch { /* the next tick tries again; a 401 has signed the user out already */ }
  }, REFRESH_MS);
  return () => clearInterval(timer);
}
