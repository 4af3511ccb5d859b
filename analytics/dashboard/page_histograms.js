// Room durations and peak occupants, each filterable by the other: clicking a duration band
// shows the peaks of only the rooms in that band, and the other way round
// (GET /v1/analytics/histograms?duration=&peak=). Clicking the selected band clears it.
import { get } from "./api.js";
import { barChart } from "./charts.js";
import { errorBox, h, table, td, tdNum } from "./dom.js";
import { periodForm } from "./period.js";

export async function render(root, { params, navigate }) {
  const { form, from, to } = periodForm(params, navigate);
  const duration = params.get("duration");
  const peak = params.get("peak");
  root.append(h("h1", null, "Room durations and peak occupants"), form);
  let data;
  try {
    data = await get("/v1/analytics/histograms", { from, to, duration, peak });
  } catch (err) {
    root.append(errorBox(err));
    return;
  }
  const toggle = (name, band) => {
    const next = new URLSearchParams(params);
    if (next.get(name) === band) next.delete(name);
    else next.set(name, band);
    next.set("from", from);
    next.set("to", to);
    navigate(next);
  };
  const note = (what, band, other) => h("p", { class: "filter-note muted" },
    band ? [`Only rooms whose ${what} is `, h("strong", null, band), " ",
      h("button", { type: "button", "data-clear": other, onclick: () => toggle(other, band) }, "clear")]
         : `All rooms (click a ${what} band to filter)`);
  root.append(
    h("h2", null, "Duration"), note("peak", peak, "peak"),
    h("div", { id: "duration-chart" }, barChart("Rooms by duration", data.duration.map((b) => ({ label: b.band, value: b.rooms, selected: b.band === duration })),
      { onClick: (it) => toggle("duration", it.label) })),
    table(["Duration", { label: "Rooms", num: true }], data.duration.map((b, i) =>
      h("tr", null, td(b.band), tdNum(`duration.${i}.rooms`, b.rooms))), { id: "duration-table" }),
    h("h2", null, "Peak occupants"), note("duration", duration, "duration"),
    h("div", { id: "peak-chart" }, barChart("Rooms by peak occupants", data.peak.map((b) => ({ label: b.band, value: b.rooms, selected: b.band === peak })),
      { onClick: (it) => toggle("peak", it.label), alt: true })),
    table(["Peak occupants", { label: "Rooms", num: true }], data.peak.map((b, i) =>
      h("tr", null, td(b.band), tdNum(`peak.${i}.rooms`, b.rooms))), { id: "peak-table" }));
}
