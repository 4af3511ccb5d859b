// Building the page from data without innerHTML: room names, nicks and event data are what
// users typed, so every text goes in as a text node.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

// A number as shown, and as the tests read it back (data-value holds the API's value).
export function fmt(v, digits) {
  if (v === null || v === undefined) return "–";
  if (typeof v !== "number") return String(v);
  return digits === undefined ? String(v) : v.toFixed(digits);
}

// <span data-k=KEY data-value=V>formatted</span>: one figure the tests compare with the API.
export function figure(key, v, digits) {
  return h("span", { "data-k": key, "data-value": v === null || v === undefined ? "null" : String(v) }, fmt(v, digits));
}

export function table(headers, rows, attrs) {
  return h("table", attrs,
    h("thead", null, h("tr", null, headers.map((x) => h("th", { class: x.num ? "num" : null }, x.label ?? x)))),
    h("tbody", null, rows));
}

export function td(v, attrs) { return h("td", attrs, v); }
export function tdNum(key, v, digits) { return h("td", { class: "num" }, figure(key, v, digits)); }

// ISO-8601 (the API's times) → "2026-12-03 14:05:09 UTC"; null → "–".
export function when(iso) {
  if (!iso) return "–";
  return iso.replace("T", " ").replace(/\.\d+/, "").replace("Z", " UTC");
}

export function seconds(s) {
  if (s === null || s === undefined) return "–";
  if (s < 60) return `${s.toFixed(1)} s`;
  if (s < 3600) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(2)} h`;
}

export function errorBox(err) {
  return h("p", { class: "error", role: "alert", "data-error": "1" }, String(err.message || err));
}
