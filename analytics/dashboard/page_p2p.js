// P2P quality over the period, per hour or day (GET /v1/analytics/p2p-quality, kept as
// rollups, so any period answers at once): sessions started, ended and failed, stats samples,
// mean round-trip time, jitter and packet loss, and the period's totals of those counts.
// Medians, percentiles and outcomes (GET /v1/analytics/p2p) are exact over every sample and
// session of the period; the call rollups answer this page's periods (whole UTC days) in
// tens of ms on 10M events (docs/benchmarks.md). They load when asked for.
import { get } from "./api.js";
import { barChart, lineChart } from "./charts.js";
import { errorBox, figure, h, seconds, table, td, tdNum, when } from "./dom.js";
import { periodForm, selectOf } from "./period.js";

const fact = (label, node) => h("div", null, h("div", { class: "stat-label" }, label), h("div", { class: "stat" }, node));

// The period's exact medians, percentiles and outcomes, into `box`.
async function details(box, from, to) {
  box.replaceChildren(h("p", { class: "muted" }, "Loading…"));
  try {
    const p = await get("/v1/analytics/p2p", { since: from, until: to });
    box.replaceChildren(h("div", { class: "card grid" },
      fact("P2P sessions", figure("p2p.sessions.total", p.sessions.total)),
      fact("Completed", figure("p2p.sessions.completed", p.sessions.completed)),
      fact("Failed", figure("p2p.sessions.failed", p.sessions.failed)),
      fact("Interrupted", figure("p2p.sessions.interrupted", p.sessions.interrupted)),
      fact("Median RTT (ms)", figure("p2p.rtt_ms.median", p.rtt_ms.median, 1)),
      fact("RTT p95 (ms)", figure("p2p.rtt_ms.p95", p.rtt_ms.p95, 1)),
      fact("Packet loss mean / p95", [figure("p2p.packet_loss.mean", p.packet_loss.mean, 4), " / ", figure("p2p.packet_loss.p95", p.packet_loss.p95, 4)]),
      fact("Relayed share (sessions)", figure("p2p.sessions.relayed_share", p.sessions.relayed_share, 2)),
      fact("Mean duration", seconds(p.duration_seconds.mean))));
  } catch (err) {
    box.replaceChildren(errorBox(err));
  }
  box.dataset.loaded = "1";
}

export async function render(root, { params, navigate }) {
  const bucket = params.get("bucket") || "day";
  const { form, from, to } = periodForm(params, navigate, { extra: [selectOf("bucket", "Per", ["hour", "day"], bucket)] });
  root.append(h("h1", null, "P2P quality"), form);
  const summary = h("section", { id: "p2p-summary" });
  const detailBox = h("div", { id: "p2p-details" });
  const over = h("section", { id: "p2p-over-time" }, h("h2", null, `Per ${bucket}`));
  root.append(summary, h("section", null, h("button", { type: "button", id: "p2p-details-load",
    onclick: () => details(detailBox, from, to) }, "Medians, percentiles and outcomes for the period"),
    h("span", { class: "muted" }, " (exact over every sample and session of the period)"), detailBox), over);
  await Promise.all([
    get("/v1/analytics/p2p-quality", { from, to, bucket }).then((q) => {
      const t = (p) => Date.parse(p.start);
      const sum = (k) => q.periods.reduce((n, p) => n + p[k], 0);
      summary.append(h("div", { class: "card grid" },
        fact("P2P sessions started", figure("total.sessions", sum("sessions"))),
        fact("Ended", figure("total.ended", sum("ended"))),
        fact("Failed", figure("total.failed", sum("failed"))),
        fact("Stats samples", figure("total.samples", sum("samples"))),
        fact("Relayed samples", figure("total.relayed_samples", sum("relayed_samples")))));
      over.append(
        h("h2", null, "P2P sessions started"),
        barChart(`P2P sessions per ${bucket}`, q.periods.map((p) => ({ label: p.start.slice(bucket === "hour" ? 5 : 0, bucket === "hour" ? 16 : 10).replace("T", " "), value: p.sessions }))),
        h("h2", null, "Mean round-trip time (ms)"),
        lineChart("Mean round-trip time (ms)", [{ name: "avg_rtt_ms", points: q.periods.map((p) => ({ t: t(p), v: p.avg_rtt_ms })) }], { unit: " ms" }),
        h("h2", null, "Mean packet loss (fraction)"),
        lineChart("Mean packet loss", [{ name: "avg_packet_loss", alt: true, points: q.periods.map((p) => ({ t: t(p), v: p.avg_packet_loss })) }]),
        table(["Start", { label: "Started", num: true }, { label: "Ended", num: true }, { label: "Failed", num: true },
               { label: "Samples", num: true }, { label: "Relayed samples", num: true }, { label: "Mean RTT (ms)", num: true },
               { label: "Mean jitter (ms)", num: true }, { label: "Mean loss", num: true }],
          q.periods.map((p, i) => h("tr", { "data-row": i }, td(when(p.start)), tdNum(`periods.${i}.sessions`, p.sessions),
            tdNum(`periods.${i}.ended`, p.ended), tdNum(`periods.${i}.failed`, p.failed), tdNum(`periods.${i}.samples`, p.samples),
            tdNum(`periods.${i}.relayed_samples`, p.relayed_samples), tdNum(`periods.${i}.avg_rtt_ms`, p.avg_rtt_ms, 1),
            tdNum(`periods.${i}.avg_jitter_ms`, p.avg_jitter_ms, 1), tdNum(`periods.${i}.avg_packet_loss`, p.avg_packet_loss, 4))),
          { id: "p2p-periods" }));
    }, (err) => over.append(errorBox(err))),
  ]);
}
