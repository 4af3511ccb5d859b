// The period every analytics page shows: `from`/`to` in the page's address (so a view can be
// shared and a test can ask the API for exactly the same period), by default the seven whole
// UTC days up to the end of today.
import { h } from "./dom.js";

const DAY = 86400000;

export function endOfTodayUtc() {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY);
}

const iso = (d) => d.toISOString().replace(/\.\d{3}Z$/, "Z");

// {from, to} as ISO-8601 strings, from the address or the default of `days` days.
export function periodOf(params, days = 7) {
  const to = params.get("to") || iso(endOfTodayUtc());
  const from = params.get("from") || iso(new Date(Date.parse(to) - days * DAY));
  return { from, to };
}

// The period form: presets of whole days ending today, or two dates; `extra` are more
// controls (a bucket selector) whose name/value go into the address as well.
export function periodForm(params, navigate, { days = 7, extra = [] } = {}) {
  const { from, to } = periodOf(params, days);
  const preset = (n) => h("button", {
    type: "button", "data-days": n,
    onclick: () => {
      const end = endOfTodayUtc();
      const next = new URLSearchParams(params);
      next.set("from", iso(new Date(end - n * DAY)));
      next.set("to", iso(end));
      navigate(next);
    },
  }, `${n} d`);
  const fromInput = h("input", { type: "date", name: "from", value: from.slice(0, 10) });
  const toInput = h("input", { type: "date", name: "to", value: to.slice(0, 10) });
  const form = h("form", { class: "period", onsubmit: (e) => {
    e.preventDefault();
    const next = new URLSearchParams(params);
    if (fromInput.value) next.set("from", `${fromInput.value}T00:00:00Z`);
    if (toInput.value) next.set("to", `${toInput.value}T00:00:00Z`);
    for (const el of extra) if (el.name) next.set(el.name, el.value);
    navigate(next);
  } },
  h("label", null, "From (UTC)", fromInput),
  h("label", null, "To (UTC, exclusive)", toInput),
  extra.map((el) => h("label", null, el.dataset.label || el.name, el)),
  h("button", { type: "submit" }, "Show"),
  h("span", { class: "muted" }, "or the last"), [1, 7, 30, 90].map(preset));
  return { form, from, to };
}

// <select name=…> of `options`, the current one from the address.
export function selectOf(name, label, options, current) {
  const sel = h("select", { name, "data-label": label }, options.map((o) => h("option", { value: o, selected: o === current }, o)));
  sel.addEventListener("change", () => sel.form && sel.form.requestSubmit());
  return sel;
}
