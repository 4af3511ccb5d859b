// P2P quality: the period in figures (GET /v1/analytics/p2p) and over time, per hour or day
// (GET /v1/analytics/p2p-quality): sessions started, ended and failed, stats samples, mean
// round-trip time, jitter and packet loss.
import { get } from "./api.js";
import { barChart, lineChart } from "./charts.js";
import { errorBox, figure, h, seconds, table, td, tdNum, when } from "./dom.js";
import { periodForm, selectOf } from "./period.js";

export async function render(root, { params, navigate }) {
  const bucket = params.get("bucket") || "day";
  const { form, from, to } = periodForm(params, navigate, { extra: [selectOf("bucket", "Per", ["hour", "day"], bucket)] });
  root.append(h("h1", null, "P2P quality"), form);
  const summary = h("section", { id: "p2p-summary" });
  const over = h("section", { id: "p2p-over-time" }, h("h2", null, `Per ${bucket}`));
  root.append(summary, over);
  await Promise.all([
    get("/v1/analytics/p2p", { since: from, until: to }).then((p) => {
      const fact = (label, node) => h("div", null, h("div", { class: "stat-label" }, label), h("div", { class: "stat" }, node));
      summary.append(h("div", { class: "card grid" },
        fact("P2P sessions", figure("p2p.sessions.total", p.sessions.total)),
        fact("Completed", figure("p2p.sessions.completed", p.sessions.completed)),
        fact("Failed", figure("p2p.sessions.failed", p.sessions.failed)),
        fact("Interrupted", figure("p2p.sessions.interrupted", p.sessions.interrupted)),
        fact("Median RTT (ms)", figure("p2p.rtt_ms.median", p.rtt_ms.median, 1)),
        fact("Packet loss (mean)", figure("p2p.packet_loss.mean", p.packet_loss.mean, 4)),
        fact("Relayed share", figure("p2p.sessions.relayed_share", p.sessions.relayed_share, 2)),
        fact("Mean duration", seconds(p.duration_seconds.mean))));
    }, (err) => summary.append(errorBox(err))),
    get("/v1/analytics/p2p-quality", { from, to, bucket }).then((q) => {
      const t = (p) => Date.parse(p.start);
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
