// Times every dashboard page in headless Chromium (tools/bench/dashboard_pages.sh starts the
// API): for each page and period, LOADS loads, each from the address changing to the page
// drawn with all its answers in (the page's own performance.now() measure, data-render-ms).
// Environment: NODE_DIR, CHROMIUM, API_URL, ANALYST_TOKEN, END (periods end there), LOADS,
// EVENTS (for the report), OUT (markdown report), NO_TARGET (report only).
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const env = (n) => {
  if (!process.env[n]) throw new Error(n + " is not set");
  return process.env[n];
};
const api = env("API_URL"), token = env("ANALYST_TOKEN"), end = Date.parse(env("END"));
const loads = Number(env("LOADS"));
const require = createRequire(join(env("NODE_DIR"), "package.json"));
const { chromium } = require("playwright-core");
const DAY = 86400000;
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

async function apiGet(path) {
  const r = await fetch(api + path, { headers: { Authorization: "Bearer " + token } });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

// A room and a session to open: the busiest room of the latest day's first page of rooms.
const rooms = await apiGet(`/v1/rooms?until=${iso(end)}&per_page=50`);
if (rooms.items.length === 0) throw new Error("no rooms in the database");
const room = rooms.items.reduce((a, b) => (b.event_count > a.event_count ? b : a));
const session = (await apiGet(`/v1/rooms/${room.id}/users?per_page=1`)).items[0];

const periodPages = (days) => {
  const P = `from=${encodeURIComponent(iso(end - days * DAY))}&to=${encodeURIComponent(iso(end))}`;
  return [["overview", `#/overview?${P}&bucket=day`], ["histograms", `#/histograms?${P}`],
          ["p2p quality", `#/p2p?${P}&bucket=day`], ["events per day", `#/events?${P}`]];
};
const plain = [["rooms", "#/rooms"], ["room", `#/room/${room.id}`]];
if (session) plain.push(["session", `#/session/${session.sessionid}`]);

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};

const browser = await chromium.launch({ executablePath: env("CHROMIUM"), args: ["--no-sandbox"] });
const rows = [];
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${api}/dashboard`);
  await page.evaluate((t) => sessionStorage.setItem("mucstream.dashboard.token", t), token);
  await page.reload();
  await page.waitForSelector("#nav:not([hidden])");
  const time = async (hash) => {
    // Away first, so every load is a real change of address.
    for (const h of ["#/nowhere-" + Math.random(), hash]) {
      await page.evaluate((x) => { performance.clearResourceTimings(); location.hash = x; }, h);
      await page.waitForFunction((x) => {
        const root = document.querySelector("#page");
        return root.dataset.ready === "1" && root.dataset.hash === x;
      }, h, { timeout: 60000 });
    }
    const errors = await page.$$eval("#page [data-error]", (els) => els.map((e) => e.textContent));
    if (errors.length) throw new Error(`${hash}: ${errors.join("; ")}`);
    // The slowest API request of the load (Resource Timing), to say where the time went.
    const slowest = await page.evaluate(() => performance.getEntriesByType("resource")
      .filter((e) => new URL(e.name).pathname.startsWith("/v1/"))
      .map((e) => ({ path: new URL(e.name).pathname.replace(/[0-9a-f]{8}-[0-9a-f-]{27}/g, "{id}"), ms: e.duration }))
      .sort((a, b) => b.ms - a.ms)[0] || { path: "–", ms: 0 });
    return { ms: Number(await page.$eval("#page", (el) => el.dataset.renderMs)), slowest };
  };
  const measure = async (name, period, hash) => {
    await time(hash);  // warm-up, not counted
    const ms = [], slow = {};
    for (let i = 0; i < loads; i++) {
      const t = await time(hash);
      ms.push(t.ms);
      (slow[t.slowest.path] ||= []).push(t.slowest.ms);
    }
    const [path, times] = Object.entries(slow).sort((a, b) => b[1].length - a[1].length)[0];
    const slowest = `${path} (${pct(times, 50).toFixed(1)} ms)`;
    rows.push({ name, period, p50: pct(ms, 50), p95: pct(ms, 95), max: Math.max(...ms), slowest });
    console.log(`${name.padEnd(16)} ${period.padEnd(8)} p50 ${pct(ms, 50).toFixed(1)} ms  p95 ${pct(ms, 95).toFixed(1)} ms  slowest ${slowest}`);
  };
  for (const days of [1, 7, 30, 90]) for (const [name, hash] of periodPages(days)) await measure(name, `${days} d`, hash);
  for (const [name, hash] of plain) await measure(name, "–", hash);
} finally {
  await browser.close();
}

const missed = rows.filter((r) => r.p95 >= 100);
const lines = [
  `# Dashboard pages in headless Chromium`,
  "",
  `${env("EVENTS")} events; periods end ${env("END")}; ${loads} loads per row after one warm-up; time from the`,
  "address changing to the page drawn with every API answer in (the page's performance.now()).",
  `Room page: ${room.id} (${room.event_count} events).`,
  "",
  "Slowest request: the API path most often the slowest of a load, with its median time.",
  "",
  "| page | period | p50 ms | p95 ms | max ms | p95 < 100 ms | slowest request |",
  "|---|---|---:|---:|---:|---|---|",
  ...rows.map((r) => `| ${r.name} | ${r.period} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.max.toFixed(1)} | ${r.p95 < 100 ? "yes" : "**no**"} | \`${r.slowest}\` |`),
];
writeFileSync(env("OUT"), lines.join("\n") + "\n");
console.log(`report: ${env("OUT")}`);
if (missed.length && !process.env.NO_TARGET) {
  console.log(`missed the target: ${missed.map((r) => `${r.name} ${r.period}`).join(", ")}`);
  process.exit(1);
}
