"""Turns tools/bench/fanout.sh's results.tsv (one mucbench c2s output per run) into the
Markdown tables of docs/benchmarks.md: every run with its ratios to the built-in MUC of the
same round and shape, then the totals per server, shape and mode over all rounds.

CPU per delivered stanza counts the server's CPU plus mucstream's (the built-in MUC has no
component), so the ratio says what one delivered stanza costs the machine, not just the
server. For mucbench's minimal MUC it is the server's alone: the minimal MUC runs inside the
load generator, and what those runs show is the server's cost of each way of delivering.
"server ratio" leaves mucstream's CPU out: what the XMPP server alone pays per delivered
stanza against its own MUC, the figure a server operator compares.

Runs under callgrind (FANOUT_CALLGRIND=1) get a third table: the server's instructions per
delivered stanza, which a noisy machine does not move the way it moves CPU time."""
import csv
import re
import sys
from collections import defaultdict

LABEL = {"builtin": "server's own MUC", "off": "mucstream, multicast=off", "auto": "mucstream, multicast=auto",
         "minimal-direct": "minimal MUC, per recipient", "minimal-multicast": "minimal MUC, multicast"}
ORDER = ["builtin", "off", "auto", "minimal-direct", "minimal-multicast"]


def parse(path):
    text = open(path).read()

    def num(pattern):
        m = re.search(pattern, text, re.M)
        return float(m.group(1)) if m else 0.0

    return {
        "sent": num(r"^sent\s+(\d+)"),
        "delivered": num(r"^delivered\s+(\d+)"),
        "expected": num(r"^delivered\s+\d+ stanzas \(expected (\d+)\)"),
        "wall": num(r"^delivered\s+.* in ([\d.]+) s"),
        "server_cpu": num(r"^server CPU\s+([\d.]+) s"),
        "component_cpu": num(r"^component CPU\s+([\d.]+) s"),
        "server_instr": num(r"^server instr\s+(\d+) instructions"),
        "p50_ms": num(r"^latency\s+p50 (\d+) us") / 1000,
        "p99_ms": num(r"^latency\s+.*p99 (\d+) us") / 1000,
    }


def us_per_stanza(r):
    return (r["server_cpu"] + r["component_cpu"]) * 1e6 / r["delivered"] if r["delivered"] else float("nan")


def server_us_per_stanza(r):
    return r["server_cpu"] * 1e6 / r["delivered"] if r["delivered"] else float("nan")


def ms(v):
    return "%.1f" % v if v < 100 else "%.0f" % v


def main(tsv):
    runs = []
    with open(tsv) as f:
        for row in csv.DictReader(f, delimiter="\t"):
            row.update(parse(row["file"]))
            runs.append(row)
    by_key = {(r["server"], r["shape"], r["round"], r["mode"]): r for r in runs}

    print("| server | shape | round | run | CPU per delivered (server + component) | ratio to own MUC | "
          "server / component CPU | server ratio | delivered/s (expected) | latency p50 / p99 | p99 ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        base = by_key.get((r["server"], r["shape"], r["round"], "builtin"))
        cost = us_per_stanza(r)
        ratio = "%.2f" % (cost / us_per_stanza(base)) if base and base["delivered"] else "-"
        server_ratio = ("%.2f" % (server_us_per_stanza(r) / server_us_per_stanza(base))
                        if base and base["delivered"] and base["server_cpu"] else "-")
        p99_ratio = "%.2f" % (r["p99_ms"] / base["p99_ms"]) if base and base["p99_ms"] else "-"
        rate = r["delivered"] / r["wall"] if r["wall"] else 0
        expected = r["expected"] / r["wall"] if r["wall"] else 0
        print("| %s | %s | %s | %s | %.1f us | %s | %.2f / %.2f s | %s | %.0f (%.0f) | %s / %s ms | %s |" % (
            r["server"], r["shape"], r["round"], LABEL[r["mode"]], cost, ratio, r["server_cpu"], r["component_cpu"],
            server_ratio, rate, expected, ms(r["p50_ms"]), ms(r["p99_ms"]), p99_ratio))

    # Totals over the rounds: CPU summed over delivered summed; latency as the range of runs.
    total = defaultdict(lambda: {"cpu": 0.0, "server_cpu": 0.0, "delivered": 0.0, "wall": 0.0, "p50": [], "p99": []})
    for r in runs:
        t = total[(r["server"], r["shape"], r["mode"])]
        t["cpu"] += r["server_cpu"] + r["component_cpu"]
        t["server_cpu"] += r["server_cpu"]
        t["delivered"] += r["delivered"]
        t["wall"] += r["wall"]
        t["p50"].append(r["p50_ms"])
        t["p99"].append(r["p99_ms"])
    print()
    print("| server | shape | run | CPU per delivered, all rounds | ratio to own MUC | server alone | server ratio | "
          "delivered/s | p50 | p99 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    keys = sorted({(k[0], k[1]) for k in total}, key=lambda k: (k[0], runs.index(next(
        r for r in runs if (r["server"], r["shape"]) == k))))
    for server, shape in keys:
        base = total.get((server, shape, "builtin"))
        for mode in ORDER:
            t = total.get((server, shape, mode))
            if not t or not t["delivered"]:
                continue
            cost = t["cpu"] * 1e6 / t["delivered"]
            ratio = "%.2f" % (cost / (base["cpu"] * 1e6 / base["delivered"])) if base and base["delivered"] else "-"
            server_cost = t["server_cpu"] * 1e6 / t["delivered"]
            server_ratio = ("%.2f" % (server_cost / (base["server_cpu"] * 1e6 / base["delivered"]))
                            if base and base["delivered"] and base["server_cpu"] else "-")

            def span(v):
                low, high = ms(min(v)), ms(max(v))
                return "%s ms" % low if low == high else "%s-%s ms" % (low, high)
            print("| %s | %s | %s | %.1f us | %s | %.1f us | %s | %.0f | %s | %s |" % (
                server, shape, LABEL[mode], cost, ratio, server_cost, server_ratio, t["delivered"] / t["wall"],
                span(t["p50"]), span(t["p99"])))


    instructions_table(runs)


def instructions_table(runs):
    """Per server, shape and mode: instructions per delivered stanza of each round and over all,
    and the ratio to the built-in MUC's over all rounds."""
    counted = [r for r in runs if r["server_instr"] and r["delivered"]]
    if not counted:
        return
    per = defaultdict(lambda: {"instr": 0.0, "delivered": 0.0, "rounds": []})
    for r in counted:
        t = per[(r["server"], r["shape"], r["mode"])]
        t["instr"] += r["server_instr"]
        t["delivered"] += r["delivered"]
        t["rounds"].append(r["server_instr"] / r["delivered"])
    print()
    print("| server | shape | run | instructions per delivered stanza, each round | all rounds | ratio to own MUC |")
    print("|---|---|---|---|---|---|")
    for (server, shape, mode), t in sorted(per.items(), key=lambda kv: (kv[0][0], kv[0][1], ORDER.index(kv[0][2]))):
        base = per.get((server, shape, "builtin"))
        mean = t["instr"] / t["delivered"]
        ratio = "%.3f" % (mean / (base["instr"] / base["delivered"])) if base else "-"
        print("| %s | %s | %s | %s | %.0f | %s |" % (server, shape, LABEL[mode], ", ".join("%.0f" % v for v in t["rounds"]),
                                                   mean, ratio))


if __name__ == "__main__":
    main(sys.argv[1])
