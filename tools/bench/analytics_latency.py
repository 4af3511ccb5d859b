#!/usr/bin/env python3
"""Latency of the analytics API over a seeded PostgreSQL (run by tools/bench/analytics.sh).

For each endpoint: a few warm-up requests (each must answer 200), then REQUESTS sequential
requests on one keep-alive connection, timed by the client; the SQL time per request comes
from pg_stat_statements (reset before each endpoint), the baseline is GET /healthz on the
same connection. Afterwards one request per endpoint with auto_explain on (ANALYZE,
BUFFERS) records the plans the API's own queries got. Writes OUT/report.md and
OUT/results.json; exits 1 when a targeted endpoint misses p95 < 100 ms (unless --no-target).
"""
import argparse
import base64
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.parse

TARGET_MS = 100.0


def psql(pg, sql):
    return subprocess.run(["psql", pg, "-XAtq", "-F", "\t", "-c", sql], check=True, capture_output=True,
                          text=True).stdout.strip()


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def pct(sorted_ms, p):
    if not sorted_ms:
        return float("nan")
    k = max(0, min(len(sorted_ms) - 1, int(round(p / 100.0 * len(sorted_ms) + 0.5)) - 1))
    return sorted_ms[k]


class Conn:
    def __init__(self, url, token):
        u = urllib.parse.urlparse(url)
        self.host, self.port = u.hostname, u.port
        self.headers = {"Authorization": "Bearer " + token, "Accept": "application/json"}
        self.c = http.client.HTTPConnection(self.host, self.port, timeout=600)

    def get(self, path):
        try:
            self.c.request("GET", path, headers=self.headers)
            r = self.c.getresponse()
        except (http.client.HTTPException, ConnectionError):
            # The server closed the keep-alive connection (max requests): reconnect once.
            self.c.close()
            self.c = http.client.HTTPConnection(self.host, self.port, timeout=600)
            self.c.request("GET", path, headers=self.headers)
            r = self.c.getresponse()
        body = r.read()
        return r.status, body


def cursor(micros, uuid):
    raw = ("e1:%d:%s" % (micros, uuid)).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def endpoints(conn, pg):
    day0 = psql(pg, "SELECT to_char(date_trunc('day', min(time) AT TIME ZONE 'UTC') + interval '13 days', 'YYYY-MM-DD') FROM events")
    day = day0 + "T00:00:00Z"
    next_day = psql(pg, "SELECT to_char('%s'::date + 1, 'YYYY-MM-DD')" % day0) + "T00:00:00Z"
    week = psql(pg, "SELECT to_char('%s'::date + 7, 'YYYY-MM-DD')" % day0) + "T00:00:00Z"
    room, room_events = psql(pg, "SELECT id, event_count FROM rooms ORDER BY event_count DESC, id LIMIT 1").split("\t")
    total = int(psql(pg, "SELECT count(*) FROM events"))
    deep_n = int(total * 0.9)
    t_us, eid = psql(pg, "SELECT (extract(epoch FROM time) * 1000000)::bigint, id FROM events ORDER BY time, id "
                         "OFFSET %d LIMIT 1" % deep_n).split("\t")
    deep = cursor(int(t_us), eid)
    q = urllib.parse.quote
    first_day = psql(pg, "SELECT to_char(date_trunc('day', min(time) AT TIME ZONE 'UTC'), 'YYYY-MM-DD') FROM events")
    busiest_span = psql(pg, "SELECT id FROM rooms ORDER BY (SELECT count(*) FROM users u WHERE u.room_id = rooms.id) DESC, id LIMIT 1")

    def plus(date, days):
        return psql(pg, "SELECT to_char('%s'::date + %d, 'YYYY-MM-DD')" % (date, days)) + "T00:00:00Z"

    # Periods of 1, 7, 30 and 90 days: the first two from the day measured, 30 days = the
    # whole seeded month, 90 days = 30 days before it to 30 after (every event, and empty days).
    periods = [("1d", day, next_day), ("7d", day, week), ("30d", first_day + "T00:00:00Z", plus(first_day, 30)),
               ("90d", plus(first_day, -30), plus(first_day, 60))]
    eps = [
        ("healthz", "GET /healthz (baseline)", "/healthz", False),
        ("room_events", "a room's events (busiest room, %s events), first page" % room_events,
         "/v1/rooms/%s/events?limit=100" % room, False),
        ("room_timeline", "a room's timeline (busiest room)", "/v1/rooms/%s/timeline" % room, True),
        ("room_occupancy", "a room's occupancy (the room with most sessions)", "/v1/rooms/%s/occupancy" % busiest_span,
         True),
        ("events_first", "/v1/events first page (100)", "/v1/events?limit=100", True),
        ("events_deep", "/v1/events page after row %d of %d" % (deep_n, total), "/v1/events?limit=100&cursor=" + deep, True),
        ("events_deep_type", "/v1/events?type=message_sent page after row %d" % deep_n,
         "/v1/events?type=message_sent&limit=100&cursor=" + deep, True),
    ]
    # Every /v1/analytics/* endpoint at every period (all targeted).
    for name, since, until in periods:
        s, u = q(since), q(until)
        old = "since=%s&until=%s" % (s, u)
        new = "from=%s&to=%s" % (s, u)
        eps += [
            ("summary_" + name, "summary, " + name, "/v1/analytics/summary?" + old, True),
            ("events_per_day_" + name, "events-per-day, " + name, "/v1/analytics/events-per-day?" + old, True),
            ("p2p_" + name, "P2P quality, " + name, "/v1/analytics/p2p?" + old, True),
            ("media_" + name, "media usage, " + name, "/v1/analytics/media?" + old, True),
            ("rooms_" + name, "rooms with calls, " + name, "/v1/analytics/rooms?" + old, True),
            ("overview_" + name, "overview (days), " + name, "/v1/analytics/overview?bucket=day&" + new, True),
            ("histograms_" + name, "histograms, " + name, "/v1/analytics/histograms?" + new, True),
            ("p2p_quality_" + name, "P2P quality series (%s), %s" % ("hours" if name in ("1d", "7d") else "days", name),
             "/v1/analytics/p2p-quality?bucket=%s&%s" % ("hour" if name in ("1d", "7d") else "day", new), True),
        ]
    # P2P quality for periods that start and end inside an hour and inside a five-minute
    # slot: the partial hours come from the slot rows, the partial slots from the samples.
    for key, label, since, until in [
            ("p2p_30d_midhour", "P2P quality, 30d from 00:17:23 to 13:41:07", first_day + "T00:17:23Z",
             plus(first_day, 29)[:10] + "T13:41:07Z"),
            ("p2p_3d_midhour", "P2P quality, 3d from 10:17:23 to 13:41:07", day0 + "T10:17:23Z",
             plus(day0, 3)[:10] + "T13:41:07Z"),
            ("p2p_43min", "P2P quality, 43 min from 12:58:00 to 13:41:07", day0 + "T12:58:00Z", day0 + "T13:41:07Z")]:
        eps.append((key, label, "/v1/analytics/p2p?since=%s&until=%s" % (q(since), q(until)), True))
    s, u = q(periods[3][1]), q(periods[3][2])
    eps += [
        ("overview_90d_week", "overview (weeks), 90d", "/v1/analytics/overview?bucket=week&from=%s&to=%s" % (s, u), True),
        ("overview_90d_month", "overview (months), 90d", "/v1/analytics/overview?bucket=month&from=%s&to=%s" % (s, u),
         True),
        ("histograms_90d_filtered", "histograms filtered by duration 5m-10m and peak 3, 90d",
         "/v1/analytics/histograms?duration=5m-10m&peak=3&from=%s&to=%s" % (s, u), True),
    ]
    out, skipped = [], []
    for key, label, path, target in eps:
        status, body = conn.get(path)
        if status == 404 and (key.startswith(("room_timeline", "room_occupancy", "p2p", "media", "rooms_", "overview",
                                              "histograms"))):
            # The room and period exist: a 404 means this build has no such route yet.
            print("skip %s: not served by this build" % key, file=sys.stderr)
            skipped.append(label)
            continue
        if status != 200:
            raise SystemExit("%s: %s answered %d: %s" % (key, path, status, body[:300]))
        out.append({"key": key, "label": label, "path": path, "target": target, "bytes": len(body)})
    return out, {"day": day, "room": room, "total": total, "skipped": skipped}


args_budget = 40.0  # seconds per endpoint at most (but at least 10 requests)


SLOW_MS = 2000.0  # an endpoint slower than this gets 2 requests, not REQUESTS (and no plan)


def measure(conn, pg, ep, n):
    t = time.perf_counter()
    conn.get(ep["path"])
    if (time.perf_counter() - t) * 1000.0 > SLOW_MS:
        n = 2
        ep["slow"] = True
    else:
        for _ in range(4):
            conn.get(ep["path"])
    psql(pg, "SELECT pg_stat_statements_reset()")
    load_before = loadavg()
    ms = []
    deadline = time.monotonic() + args_budget
    while len(ms) < n and (len(ms) < min(n, 10) or time.monotonic() < deadline):
        t = time.perf_counter()
        status, _ = conn.get(ep["path"])
        ms.append((time.perf_counter() - t) * 1000.0)
        if status != 200:
            raise SystemExit("%s answered %d during the run" % (ep["path"], status))
    sql = psql(pg, "SELECT coalesce(sum(total_exec_time), 0), coalesce(sum(total_plan_time), 0), "
                   "coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%'")
    sql_total, plan_total, calls = sql.split("\t")
    n = len(ms)
    ms.sort()
    ep.update({"n": n, "p50": pct(ms, 50), "p95": pct(ms, 95), "p99": pct(ms, 99), "mean": statistics.fmean(ms),
               "max": ms[-1], "sql_ms": float(sql_total) / n, "plan_ms": float(plan_total) / n, "sql_calls": int(float(calls)) / n,
               "load": load_before + " -> " + loadavg()})


def capture_plans(conn, pg, eps, log_path):
    psql(pg, "ALTER SYSTEM SET auto_explain.log_min_duration = 0")
    psql(pg, "ALTER SYSTEM SET auto_explain.log_analyze = on")
    psql(pg, "ALTER SYSTEM SET auto_explain.log_buffers = on")
    psql(pg, "ALTER SYSTEM SET auto_explain.log_timing = on")
    psql(pg, "SELECT pg_reload_conf()")
    time.sleep(1.0)
    try:
        for ep in eps:
            if ep["key"] == "healthz" or ep.get("slow"):
                continue
            conn.get(ep["path"])  # warm, as in the measured runs
            start = os.path.getsize(log_path)
            conn.get(ep["path"])
            time.sleep(0.3)
            with open(log_path, errors="replace") as f:
                f.seek(start)
                text = f.read()
            ep["plans"] = extract_plans(text)
    finally:
        for k in ("log_min_duration", "log_analyze", "log_buffers", "log_timing"):
            psql(pg, "ALTER SYSTEM RESET auto_explain.%s" % k)
        psql(pg, "SELECT pg_reload_conf()")


def extract_plans(text):
    plans, cur = [], None
    for line in text.splitlines():
        if "LOG:  duration:" in line and "plan:" in line:
            cur = [re.sub(r"^.*LOG:  ", "", line)]
            plans.append(cur)
        elif cur is not None and line.startswith("\t"):
            cur.append(line[1:])
        else:
            cur = None
    return ["\n".join(p) for p in plans if not any("pg_stat_statements" in l for l in p[:3])]


def report(eps, info, args):
    base = next(e for e in eps if e["key"] == "healthz")
    lines = ["| endpoint | requests | p50 ms | p95 ms | p99 ms | SQL exec ms/req | SQL plan ms/req | p50 / healthz p50 "
             "| target p95 < 100 ms |", "|---|---|---|---|---|---|---|---|---|"]
    missed = []
    for e in eps:
        verdict = ""
        if e["target"]:
            verdict = "met" if e["p95"] < TARGET_MS else "**MISSED**"
            if e["p95"] >= TARGET_MS:
                missed.append(e["key"])
        ratio = e["p50"] / base["p50"] if base["p50"] > 0 else float("nan")
        lines.append("| %s | %d | %.2f | %.2f | %.2f | %.2f | %.2f | %.0fx | %s |" % (
            e["label"], e["n"], e["p50"], e["p95"], e["p99"], e["sql_ms"], e["plan_ms"], ratio, verdict))
    md = ["# Analytics benchmark run", "",
          "Events: %d; day measured: %s; busiest room: %s; %d requests per endpoint, sequential, one keep-alive "
          "connection; COPY of all seed rows took %s s." % (info["total"], info["day"][:10], info["room"], args.requests,
                                                            args.copy_seconds),
          "Machine load (1/5/15 min) at the start of the measurements: %s; at the end: %s." % (
              eps[0]["load"].split(" -> ")[0], eps[-1]["load"].split(" -> ")[1]), ""] + lines + [""]
    if info["skipped"]:
        md.append("Not served by this build (skipped): " + "; ".join(info["skipped"]) + ".")
        md.append("")
    md.append("SQL exec/plan ms per request: pg_stat_statements total execution and planning time of every "
              "statement the API ran during the endpoint's run, divided by the requests.")
    for name in ("sizes.txt", "indexes.txt"):
        path = os.path.join(args.out, name)
        if os.path.exists(path):
            md += ["", "```", open(path).read().rstrip(), "```"]
    md.append("")
    for e in eps:
        if e.get("plans"):
            md.append("## %s" % e["label"])
            md.append("")
            md.append("`GET %s`" % e["path"])
            md.append("")
            for p in e["plans"]:
                md.append("```")
                md.append(p)
                md.append("```")
            md.append("")
    with open(os.path.join(args.out, "report.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump({"info": info, "endpoints": [{k: v for k, v in e.items() if k != "plans"} for e in eps]}, f, indent=1)
    print("\n".join(lines))
    return missed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--token", required=True)
    ap.add_argument("--pg", required=True)
    ap.add_argument("--pg-log", required=True)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--out", required=True)
    ap.add_argument("--copy-seconds", default="?")
    ap.add_argument("--no-target", action="store_true")
    args = ap.parse_args()
    conn = Conn(args.url, args.token)
    eps, info = endpoints(conn, args.pg)
    for ep in eps:
        measure(conn, args.pg, ep, args.requests)
        print("%-18s n %4d  p50 %8.2f ms  p95 %8.2f ms  SQL exec %8.2f plan %6.2f ms/req  load %s" % (
            ep["key"], ep["n"], ep["p50"], ep["p95"], ep["sql_ms"], ep["plan_ms"], ep["load"]), file=sys.stderr)
    capture_plans(conn, args.pg, eps, args.pg_log)
    missed = report(eps, info, args)
    for e in eps:
        if e["key"] != "healthz" and not e.get("slow") and not e.get("plans"):
            raise SystemExit("no plan captured for %s (auto_explain not loaded?)" % e["key"])
    if missed and not args.no_target:
        print("target missed: " + ", ".join(missed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
