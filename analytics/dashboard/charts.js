// Hand-drawn SVG charts (nothing fetched from elsewhere): bars for counts per band or
// period, lines for values over time, steps for occupancy. Every bar carries data-label and
// data-value so a test (or a curious analyst) reads the number it draws.
const NS = "http://www.w3.org/2000/svg";

function s(tag, attrs, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

function frame(width, height, title) {
  const svg = s("svg", { class: "chart", viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": title });
  svg.append(s("title", null, title));
  return svg;
}

const nice = (max) => {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max);
};

// items: [{label, value, selected}] in order; onClick(item) makes the bars buttons.
export function barChart(title, items, { onClick, alt, height = 220 } = {}) {
  const width = 760, left = 44, bottom = 44, top = 12;
  const svg = frame(width, height, title);
  const max = nice(Math.max(0, ...items.map((i) => i.value || 0)));
  const plotH = height - bottom - top;
  const slot = (width - left - 8) / Math.max(1, items.length);
  svg.append(s("line", { class: "axis", x1: left, y1: top + plotH, x2: width - 4, y2: top + plotH }));
  // Counts: a half-way tick only where it is a whole number.
  for (const f of max % 2 === 0 ? [0, 0.5, 1] : [0, 1]) {
    svg.append(s("text", { x: left - 6, y: top + plotH - f * plotH + 4, "text-anchor": "end" }, String(max * f)));
  }
  items.forEach((it, i) => {
    const v = it.value || 0;
    const bh = (v / max) * plotH;
    const x = left + i * slot + slot * 0.12;
    const cls = ["bar", alt ? "alt" : "", onClick ? "clickable" : "", it.selected ? "selected" : ""].join(" ").trim();
    const bar = s("rect", { class: cls, x, y: top + plotH - bh, width: slot * 0.76, height: Math.max(bh, v > 0 ? 1 : 0),
                            "data-label": it.label, "data-value": v });
    bar.append(s("title", null, `${it.label}: ${v}`));
    // An invisible full-height target, so an empty band can still be clicked.
    const hit = s("rect", { x: left + i * slot, y: top, width: slot, height: plotH, fill: "transparent",
                            "data-band": it.label, class: onClick ? "clickable" : null });
    if (onClick) {
      for (const el of [bar, hit]) el.addEventListener("click", () => onClick(it));
      hit.setAttribute("role", "button");
      hit.setAttribute("tabindex", "0");
      hit.setAttribute("aria-label", `${it.label}: ${v}`);
      hit.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); onClick(it); }
      });
    }
    svg.append(bar, hit);
    if (v > 0) svg.append(s("text", { x: x + slot * 0.38, y: top + plotH - bh - 3, "text-anchor": "middle" }, String(v)));
    // Many bands: every other label one line lower, so neighbours never overlap.
    const every = Math.ceil(items.length / 32);
    const stagger = items.length > 10 && (i / every) % 2 === 1 ? 13 : 0;
    if (i % every === 0) {
      svg.append(s("text", { x: left + i * slot + slot / 2, y: top + plotH + 16 + stagger, "text-anchor": "middle" }, it.label));
    }
  });
  return svg;
}

// series: [{name, points:[{t (ms), v (number|null)}], alt}]; a null value breaks the line.
export function lineChart(title, series, { height = 220, step = false, unit = "" } = {}) {
  const width = 760, left = 52, bottom = 36, top = 12, right = 10;
  const svg = frame(width, height, title);
  const all = series.flatMap((se) => se.points);
  const ts = all.map((p) => p.t);
  const vs = all.map((p) => p.v).filter((v) => v !== null && v !== undefined);
  if (ts.length === 0) {
    svg.append(s("text", { x: width / 2, y: height / 2, "text-anchor": "middle" }, "no data in this period"));
    return svg;
  }
  const t0 = Math.min(...ts), t1 = Math.max(...ts, t0 + 1);
  const max = nice(Math.max(0, ...vs));
  const plotW = width - left - right, plotH = height - top - bottom;
  const X = (t) => left + ((t - t0) / (t1 - t0)) * plotW;
  const Y = (v) => top + plotH - (v / max) * plotH;
  svg.append(s("line", { class: "axis", x1: left, y1: top + plotH, x2: width - right, y2: top + plotH }));
  for (const f of [0, 0.5, 1]) {
    svg.append(s("text", { x: left - 6, y: Y(max * f) + 4, "text-anchor": "end" }, `${+(max * f).toPrecision(3)}${unit}`));
  }
  for (const t of [t0, t1]) {
    svg.append(s("text", { x: X(t), y: height - 14, "text-anchor": t === t0 ? "start" : "end" },
                 new Date(t).toISOString().slice(0, t1 - t0 < 3600000 ? 19 : 16).replace("T", " ")));
  }
  for (const se of series) {
    let d = "", prev = null;
    for (const p of se.points) {
      if (p.v === null || p.v === undefined) { prev = null; continue; }
      if (prev === null) d += `M${X(p.t)},${Y(p.v)}`;
      else if (step) d += `H${X(p.t)}V${Y(p.v)}`;
      else d += `L${X(p.t)},${Y(p.v)}`;
      prev = p;
    }
    svg.append(s("path", { class: se.alt ? "line alt" : "line", d, "data-series": se.name }));
    for (const p of se.points) {
      if (p.v === null || p.v === undefined) continue;
      const dot = s("circle", { cx: X(p.t), cy: Y(p.v), r: 2.5, class: se.alt ? "bar alt" : "bar" });
      dot.append(s("title", null, `${se.name} ${new Date(p.t).toISOString()}: ${p.v}`));
      svg.append(dot);
    }
  }
  return svg;
}
