// Events per UTC day over the period, all types together and day by type
// (GET /v1/analytics/events-per-day); a click on a type shows that type alone (`type=`).
import { get } from "./api.js";
import { barChart } from "./charts.js";
import { errorBox, figure, h, table, td, tdNum } from "./dom.js";
import { periodForm } from "./period.js";

export async function render(root, { params, navigate }) {
  const { form, from, to } = periodForm(params, navigate, { days: 30 });
  const type = params.get("type");
  const only = (t) => {
    const next = new URLSearchParams(params);
    if (t) next.set("type", t);
    else next.delete("type");
    next.set("from", from);
    next.set("to", to);
    navigate(next);
  };
  root.append(h("h1", null, "Events per day"), form,
    h("p", { class: "filter-note muted" }, type
      ? ["Only ", h("strong", null, type), " events ", h("button", { type: "button", "data-clear": "type", onclick: () => only(null) }, "all types")]
      : "All types (click a type below to see it alone)"));
  let data;
  try {
    data = await get("/v1/analytics/events-per-day", { since: from, until: to, type });
  } catch (err) {
    root.append(errorBox(err));
    return;
  }
  const perDay = new Map();
  for (const it of data.items) perDay.set(it.day, (perDay.get(it.day) || 0) + it.count);
  const days = [...perDay.keys()].sort();
  const total = data.items.reduce((n, it) => n + it.count, 0);
  root.append(
    h("p", null, figure("total", total), " events on ", figure("days", days.length), " days with events."),
    barChart("Events per day", days.map((d) => ({ label: d.slice(0, 10), value: perDay.get(d) }))),
    h("h2", null, "Per day"),
    table(["Day", { label: "Events", num: true }], days.map((d) => h("tr", { "data-day": d }, td(d.slice(0, 10)), tdNum(`day.${d.slice(0, 10)}`, perDay.get(d)))), { id: "days" }),
    h("h2", null, "Per day and type"),
    table(["Day", "Type", { label: "Events", num: true }], data.items.map((it, i) =>
      h("tr", { "data-row": i }, td(it.day.slice(0, 10)),
        td(h("button", { type: "button", class: "link", "data-type": it.type, onclick: () => only(it.type) }, it.type)),
        tdNum(`items.${i}.count`, it.count))), { id: "day-types" }));
}
