// Drives the dashboard (served by `mucstreamd all` at /dashboard) in Debian's headless
// Chromium through playwright-core, as an analyst would: sign in with a token, open each
// page, click. Every figure a page shows (elements with data-k/data-value, see
// analytics/dashboard/dom.js) is compared with the API's JSON for the same period, asked
// for here with the same token. Any request to another origin fails the run (the dashboard
// works offline), as do script errors. Screenshots of every page go to ARTEFACTS.
//
// Environment: NODE_DIR, API_URL, ANALYST_TOKEN, USER_TOKEN (refused at sign-in), STATE (seeded.json; the live-room files of
// seed.py), ARTEFACTS, CHROMIUM. Exit: 0 all passed, 77 pages skipped because the API lacks
// their route (the rest passed), 1 failure.
import { createRequire } from "node:module";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const env = (name) => {
  if (!process.env[name]) throw new Error(name + " is not set");
  return process.env[name];
};
const api = env("API_URL");
const token = env("ANALYST_TOKEN");
const state = env("STATE");
const artefacts = env("ARTEFACTS");
const require = createRequire(join(env("NODE_DIR"), "package.json"));
const { chromium } = require("playwright-core");
const seeded = JSON.parse(readFileSync(join(state, "seeded.json"), "utf8"));
const STEP_MS = 15000;

const DAY = 86400000;
const today = new Date(new Date().toISOString().slice(0, 10) + "T00:00:00Z").getTime();
const iso = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const period = { from: iso(today - 6 * DAY), to: iso(today + DAY) };

const skipped = [];
let checks = 0;
class Missing extends Error {}

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
  checks++;
}

// The API's JSON, as the page asked for it. A route the server does not have is a 404 with
// "no such resource": the page that needs it is skipped, never passed.
async function apiGet(path, params) {
  const q = params ? "?" + new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined)) : "";
  const res = await fetch(api + path + q, { headers: { Authorization: "Bearer " + token } });
  const body = await res.json();
  if (res.status === 404 && body.error && body.error.message.startsWith("no such resource"))
    throw new Missing(`${path}: ${body.error.message}`);
  if (!res.ok) throw new Error(`${path}${q}: HTTP ${res.status} ${JSON.stringify(body)}`);
  return body;
}

// {key: value} of every figure on the page (data-k → data-value).
async function figures(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll("#page [data-k][data-value]")]
    .map((el) => [el.dataset.k, el.dataset.value])));
}
const num = (v) => (v === null || v === undefined ? "null" : String(v));

function same(shown, key, want) {
  check(key in shown, `the page shows ${key}`);
  check(shown[key] === num(want), `${key}: page ${shown[key]}, API ${num(want)}`);
}

// Until the page has rendered the address `test` accepts (the page marks which address it
// rendered: a hash change is handled after the change, so location.hash alone is too early).
// want: {is: exact address} or {has: [parts], lacks: [parts]}.
async function ready(page, want) {
  await page.waitForFunction((w) => {
    const root = document.querySelector("#page");
    const h = root.dataset.hash ?? "";
    return root.dataset.ready === "1" && (w.is === undefined || h === w.is) &&
      (w.has || []).every((p) => h.includes(p)) && (w.lacks || []).every((p) => !h.includes(p));
  }, want, { timeout: STEP_MS });
}

async function open(page, hash, name) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await ready(page, { is: hash });
  const errors = await page.$$eval("#page [data-error]", (els) => els.map((e) => e.textContent));
  await page.screenshot({ path: join(artefacts, `${name}.png`), fullPage: true });
  return errors;
}

// Runs one page's checks; a page whose API route is missing is recorded as skipped.
async function pageCheck(name, fn) {
  try {
    await fn();
    console.log(`ok: ${name}`);
  } catch (err) {
    if (err instanceof Missing) {
      skipped.push(`${name} (${err.message})`);
      console.log(`SKIPPED: ${name}: ${err.message}`);
    } else {
      throw new Error(`${name}: ${err.message}`);
    }
  }
}

const browser = await chromium.launch({ executablePath: env("CHROMIUM"), args: ["--no-sandbox"] });
let failed = false;
let foreign = [], problems = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  foreign = [];
  problems = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    if (url.startsWith(api + "/") || url.startsWith("data:")) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  page.on("pageerror", (err) => problems.push(`page error: ${err}`));
  page.on("console", (m) => {
    // The API's refusals (404 of a missing route, the bad token below) are logged by
    // Chromium as failed loads; script errors are what counts.
    if (m.type() === "error" && !/Failed to load resource/.test(m.text())) problems.push(`console: ${m.text()}`);
  });

  // --- sign in: a bad token is refused with the API's message, a good one opens the pages --
  await page.goto(`${api}/dashboard`);
  await page.waitForSelector("#signin:not([hidden])", { timeout: STEP_MS });
  await page.screenshot({ path: join(artefacts, "signin.png") });
  await page.fill("#token", "not.a.token");
  await page.click("#signin button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#signin-error").textContent.length > 0 &&
    !document.querySelector("#signin").hidden, null, { timeout: STEP_MS });
  check(await page.evaluate(() => sessionStorage.getItem("mucstream.dashboard.token")) === null, "a refused token is not kept");
  // A valid token of a role that may not read analytics (a person's user token): the API's 403.
  await page.evaluate(() => { document.querySelector("#signin-error").textContent = ""; });
  await page.fill("#token", env("USER_TOKEN"));
  await page.click("#signin button[type=submit]");
  await page.waitForFunction(() => document.querySelector("#signin-error").textContent.length > 0, null, { timeout: STEP_MS });
  const refusal = await page.$eval("#signin-error", (e) => e.textContent);
  check(/user token/.test(refusal) && await page.evaluate(() => sessionStorage.getItem("mucstream.dashboard.token")) === null,
        `a user token is refused with the API's reason: ${refusal}`);
  await page.screenshot({ path: join(artefacts, "signin-refused.png") });
  await page.fill("#token", token);
  await page.click("#signin button[type=submit]");
  await page.waitForSelector("#nav:not([hidden])", { timeout: STEP_MS });
  check(await page.evaluate(() => sessionStorage.getItem("mucstream.dashboard.token")) !== null, "the token is kept in sessionStorage");
  const P = `from=${encodeURIComponent(period.from)}&to=${encodeURIComponent(period.to)}`;

  // --- rooms list: newest first, paging, search --------------------------------------------
  await pageCheck("rooms", async () => {
    const want = await apiGet("/v1/rooms", { page: 1, per_page: 25 });
    await open(page, "#/rooms", "rooms");
    let shown = await figures(page);
    same(shown, "total", want.total);
    const ids = await page.$$eval("#rooms tbody tr", (rows) => rows.map((r) => r.dataset.room));
    check(JSON.stringify(ids) === JSON.stringify(want.items.map((r) => r.id)), `rooms in the API's order: ${ids}`);
    for (const r of [seeded.call_room, seeded.solo_room, seeded.pair_room, seeded.live_room]) check(ids.includes(r), `room ${r} listed`);
    // Two per page: the second page is the API's second page.
    const page2 = await apiGet("/v1/rooms", { page: 2, per_page: 2 });
    await open(page, "#/rooms?per_page=2", "rooms-page1");
    await page.click("[data-pager=next]");
    await ready(page, { has: ["page=2"] });
    await page.screenshot({ path: join(artefacts, "rooms-page2.png"), fullPage: true });
    shown = await figures(page);
    same(shown, "page", 2);
    same(shown, "pages", Math.ceil(page2.total / 2));
    const ids2 = await page.$$eval("#rooms tbody tr", (rows) => rows.map((r) => r.dataset.room));
    check(JSON.stringify(ids2) === JSON.stringify(page2.items.map((r) => r.id)), "page 2 as the API pages it");
    // Search by the live room's name.
    const live = await apiGet(`/v1/rooms/${seeded.live_room}`);
    await open(page, "#/rooms", "rooms");
    await page.fill("input[name=q]", live.name);
    await page.click("form[role=search] button[type=submit]");
    await ready(page, { has: ["q="] });
    await page.screenshot({ path: join(artefacts, "rooms-search.png"), fullPage: true });
    const found = await page.$$eval("#rooms tbody tr", (rows) => rows.map((r) => r.dataset.room));
    const wantFound = await apiGet("/v1/rooms", { name: live.name, page: 1, per_page: 25 });
    check(JSON.stringify(found) === JSON.stringify(wantFound.items.map((r) => r.id)) && found.includes(seeded.live_room), `search finds the live room: ${found}`);
    // By JID: the one room it names.
    await page.fill("input[name=q]", seeded.live_jid);
    await page.click("form[role=search] button[type=submit]");
    await ready(page, { has: [`q=${encodeURIComponent(seeded.live_jid)}`] });
    const byJid = await page.$$eval("#rooms tbody tr", (rows) => rows.map((r) => r.dataset.room));
    check(JSON.stringify(byJid) === JSON.stringify([seeded.live_room]), `the JID finds its room: ${byJid}`);
    // A click on the room opens its page.
    await page.click(`#rooms tr[data-room="${seeded.live_room}"] a`);
    await ready(page, { is: `#/room/${seeded.live_room}` });
  });

  // --- room page: the call's room ------------------------------------------------------------
  await pageCheck("room", async () => {
    const id = seeded.call_room;
    const room = await apiGet(`/v1/rooms/${id}`);
    const users = await apiGet(`/v1/rooms/${id}/users`, { per_page: 200 });
    const evs = await apiGet(`/v1/rooms/${id}/events`, { limit: 100 });
    const tl = await apiGet(`/v1/rooms/${id}/timeline`);
    const errors = await open(page, `#/room/${id}`, "room");
    const shown = await figures(page);
    same(shown, "event_count", room.event_count);
    same(shown, "occupants", room.occupants);
    check(room.reports !== null, "the call room has a report");
    same(shown, "report.participants", room.reports.participants);
    same(shown, "report.sessions", room.reports.sessions);
    same(shown, "report.peak_participants", room.reports.peak_participants);
    same(shown, "report.peak_sessions", room.reports.peak_sessions);
    same(shown, "report.p2p.count", room.reports.p2p.count);
    same(shown, "sessions.total", users.total);
    const sess = await page.$$eval("#sessions-table tbody tr", (rows) => rows.map((r) => r.dataset.session));
    check(JSON.stringify(sess) === JSON.stringify(users.items.map((u) => u.sessionid)), "sessions as the API lists them");
    const shownEvents = await page.$$eval("#events-table tbody tr", (rows) => rows.map((r) => r.dataset.event));
    check(JSON.stringify(shownEvents) === JSON.stringify(evs.items.map((e) => e.id)), `events as the API orders them (${shownEvents.length})`);
    const p2p = tl.items.filter((i) => i.kind === "p2p");
    check(p2p.length >= 1, "the call had a P2P session");
    const rtts = await page.$$eval("#p2p-table tbody tr [data-k]", (els) => els.map((e) => e.dataset.value));
    check(JSON.stringify(rtts) === JSON.stringify(p2p.map((i) => num(i.detail.rtt_median_ms ?? null))), `P2P rows and median RTT: ${rtts}`);
    const media = await page.$$eval("#media-table tbody tr", (rows) => rows.map((r) => r.dataset.kind));
    check(JSON.stringify(media) === JSON.stringify(tl.items.filter((i) => i.kind !== "p2p" && i.kind !== "present").map((i) => i.kind)),
          `media states: ${media}`);
    // The room's P2P quality over its lifetime, as the page asks for it.
    const q = await apiGet("/v1/analytics/p2p", { room: id, since: room.created, until: new Date(Date.parse(room.ended) + 1000).toISOString() });
    check(q.samples >= 2, "the call's stats samples are counted");
    for (const k of ["sessions.total", "sessions.completed", "sessions.failed", "sessions.interrupted", "samples", "rtt_ms.median",
                     "rtt_ms.p95", "jitter_ms.mean", "packet_loss.mean", "packet_loss.p95", "sessions.relayed_share"])
      same(shown, `room_p2p.${k}`, k.split(".").reduce((o, part) => o[part], q));
    // Occupancy (a newer route): its figures, or skipped when the API lacks it.
    const occ = await apiGet(`/v1/rooms/${id}/occupancy`);
    check(errors.length === 0, `no errors on the room page: ${errors}`);
    same(shown, "occupancy.points", occ.points.length);
    same(shown, "occupancy.max", Math.max(0, ...occ.points.map((p) => p.occupants)));
    check(Math.max(0, ...occ.points.map((p) => p.occupants)) === room.reports.peak_sessions, "occupancy peaks where the report does");
  });

  // --- a room that does not exist: the API's 404, said once ---------------------------------
  await pageCheck("no such room", async () => {
    const errors = await open(page, "#/room/no-such-room-here", "room-not-found");
    check(errors.length === 1 && errors[0].includes("no-such-room-here"), `one error naming the room: ${errors}`);
  });

  // --- session page: Alice's session in the call ------------------------------------------
  await pageCheck("session", async () => {
    const sid = seeded.sessions.Alice;
    const u = await apiGet(`/v1/users/${sid}`);
    const evs = await apiGet(`/v1/users/${sid}/events`, { limit: 100 });
    await open(page, `#/session/${sid}`, "session");
    const facts = await page.$$eval("#session-facts [data-k]", (els) => Object.fromEntries(els.map((e) => [e.dataset.k, e.textContent])));
    for (const k of ["userid", "nick", "type", "os", "browser", "sessionid"]) check(facts[k] === (u[k] || "–"), `${k}: page ${facts[k]}, API ${u[k]}`);
    const shownEvents = await page.$$eval("#events-table tbody tr", (rows) => rows.map((r) => r.dataset.event));
    check(shownEvents.length > 0 && JSON.stringify(shownEvents) === JSON.stringify(evs.items.map((e) => e.id)), "the session's events as the API lists them");
  });

  // --- events per day ------------------------------------------------------------------------
  await pageCheck("events per day", async () => {
    const want = await apiGet("/v1/analytics/events-per-day", { since: period.from, until: period.to });
    await open(page, `#/events?${P}`, "events-per-day");
    const shown = await figures(page);
    const total = want.items.reduce((n, it) => n + it.count, 0);
    check(total > 0, "seeded events are counted");
    same(shown, "total", total);
    want.items.forEach((it, i) => same(shown, `items.${i}.count`, it.count));
    const perDay = {};
    for (const it of want.items) perDay[it.day.slice(0, 10)] = (perDay[it.day.slice(0, 10)] || 0) + it.count;
    for (const [d, n] of Object.entries(perDay)) same(shown, `day.${d}`, n);
    const bars = await page.$$eval("svg.chart rect.bar", (els) => els.map((e) => e.dataset.value));
    check(JSON.stringify(bars) === JSON.stringify(Object.keys(perDay).sort().map((d) => String(perDay[d]))), "the chart draws the API's counts");
    // One type alone, by clicking it.
    await page.click("#day-types button[data-type='occupant_joined']");
    await ready(page, { has: ["type=occupant_joined"] });
    await page.screenshot({ path: join(artefacts, "events-per-day-one-type.png"), fullPage: true });
    const one = await apiGet("/v1/analytics/events-per-day", { since: period.from, until: period.to, type: "occupant_joined" });
    const shownOne = await figures(page);
    check(one.items.length > 0 && one.items.every((it) => it.type === "occupant_joined"), "the API filters the type");
    same(shownOne, "total", one.items.reduce((n, it) => n + it.count, 0));
    one.items.forEach((it, i) => same(shownOne, `items.${i}.count`, it.count));
  });

  // --- P2P quality -------------------------------------------------------------------------
  await pageCheck("p2p quality", async () => {
    const sum = await apiGet("/v1/analytics/p2p", { since: period.from, until: period.to });
    for (const bucket of ["day", "hour"]) {
      const q = await apiGet("/v1/analytics/p2p-quality", { from: period.from, to: period.to, bucket });
      const errors = await open(page, `#/p2p?${P}&bucket=${bucket}`, `p2p-quality-${bucket}`);
      check(errors.length === 0, `no errors on the P2P page: ${errors}`);
      let shown = await figures(page);
      for (const k of ["sessions", "ended", "failed", "samples", "relayed_samples"])
        same(shown, `total.${k}`, q.periods.reduce((n, p) => n + p[k], 0));
      check(q.periods.reduce((n, p) => n + p.sessions, 0) >= 1, "the seeded call is in a period");
      check(!("p2p.rtt_ms.median" in shown), "the slow exact figures wait to be asked for");
      // The exact medians, percentiles and outcomes, when asked for.
      await page.click("#p2p-details-load");
      await page.waitForSelector("#p2p-details[data-loaded='1']", { timeout: STEP_MS });
      await page.screenshot({ path: join(artefacts, `p2p-quality-${bucket}-details.png`), fullPage: true });
      shown = await figures(page);
      for (const k of ["sessions.total", "sessions.completed", "sessions.failed", "sessions.interrupted", "rtt_ms.median",
                       "rtt_ms.p95", "packet_loss.mean", "packet_loss.p95", "sessions.relayed_share"])
        same(shown, `p2p.${k}`, k.split(".").reduce((o, part) => o[part], sum));
      check(q.periods.reduce((n, p) => n + p.samples, 0) >= 2, "the call's stats samples are in a period");
      q.periods.forEach((p, i) => {
        for (const k of ["sessions", "ended", "failed", "samples", "relayed_samples", "avg_rtt_ms", "avg_jitter_ms", "avg_packet_loss"])
          same(shown, `periods.${i}.${k}`, p[k]);
      });
    }
  });

  // --- histograms, each filtered by a click on the other ----------------------------------
  await pageCheck("histograms", async () => {
    const all = await apiGet("/v1/analytics/histograms", period);
    let errors = await open(page, `#/histograms?${P}`, "histograms");
    check(errors.length === 0, `no errors on the histograms page: ${errors}`);
    const compare = async (want) => {
      const shown = await figures(page);
      check(want.duration.length === 15 && want.peak.length === 11, "15 duration and 11 peak bands");
      want.duration.forEach((b, i) => same(shown, `duration.${i}.rooms`, b.rooms));
      want.peak.forEach((b, i) => same(shown, `peak.${i}.rooms`, b.rooms));
      const bars = await page.$$eval("#duration-chart rect.bar", (els) => els.map((e) => `${e.dataset.label}=${e.dataset.value}`));
      check(JSON.stringify(bars) === JSON.stringify(want.duration.map((b) => `${b.band}=${b.rooms}`)), "the duration chart draws the API's bands");
    };
    await compare(all);
    check(all.duration.reduce((n, b) => n + b.rooms, 0) >= 3, "the seeded rooms are counted");
    const band = all.duration.find((b) => b.rooms > 0).band;
    await page.click(`#duration-chart rect[data-band="${band}"]`);
    await ready(page, { has: ["duration="] });
    await page.screenshot({ path: join(artefacts, "histograms-by-duration.png"), fullPage: true });
    const byDuration = await apiGet("/v1/analytics/histograms", { ...period, duration: band });
    await compare(byDuration);
    check(await page.$eval("#duration-chart rect.bar.selected", (e) => e.dataset.label) === band, "the clicked band is marked");
    const peakBand = byDuration.peak.find((b) => b.rooms > 0).band;
    // The peak band by keyboard: each band is a focusable button.
    await page.focus(`#peak-chart rect[data-band="${peakBand}"]`);
    await page.keyboard.press("Enter");
    await ready(page, { has: ["peak="] });
    await page.screenshot({ path: join(artefacts, "histograms-by-both.png"), fullPage: true });
    await compare(await apiGet("/v1/analytics/histograms", { ...period, duration: band, peak: peakBand }));
    await page.click("[data-clear=duration]");
    await ready(page, { has: ["peak="], lacks: ["duration="] });
    await compare(await apiGet("/v1/analytics/histograms", { ...period, peak: peakBand }));
  });

  // --- overview: per day/week/month, by client, and the live counts refreshing --------------
  await pageCheck("overview", async () => {
    for (const bucket of ["day", "week", "month"]) {
      const want = await apiGet("/v1/analytics/overview", { ...period, bucket });
      const errors = await open(page, `#/overview?${P}&bucket=${bucket}`, `overview-${bucket}`);
      check(errors.length === 0, `no errors on the overview: ${errors}`);
      const shown = await figures(page);
      same(shown, "now.rooms", want.now.rooms);
      same(shown, "now.sessions", want.now.sessions);
      want.periods.forEach((p, i) => { same(shown, `periods.${i}.rooms`, p.rooms); same(shown, `periods.${i}.sessions`, p.sessions); });
      check(want.periods.reduce((n, p) => n + p.sessions, 0) >= 5, "the seeded sessions are counted");
      for (const k of ["type", "os", "browser"]) want.sessions_by[k].forEach((r, i) => same(shown, `sessions_by.${k}.${i}.sessions`, r.sessions));
    }
    // Live: a third person joins the live room; the page shows it without being reloaded.
    const before = await apiGet("/v1/analytics/overview", { ...period, bucket: "month" });
    check(before.now.sessions >= 2, "the live room's occupants are live sessions");
    writeFileSync(join(state, "more"), "");
    const end = Date.now() + 30000;
    while (!existsSync(join(state, "more.done"))) {
      if (Date.now() > end) throw new Error("the third occupant did not join");
      await new Promise((r) => setTimeout(r, 100));
    }
    const after = await apiGet("/v1/analytics/overview", { ...period, bucket: "month" });
    check(after.now.sessions === before.now.sessions + 1, `the API counts the new session (${before.now.sessions} → ${after.now.sessions})`);
    await page.waitForFunction((n) => document.querySelector("[data-k='now.sessions']")?.dataset.value === String(n),
      after.now.sessions, { timeout: STEP_MS });
    await page.screenshot({ path: join(artefacts, "overview-live-refreshed.png"), fullPage: true });
  });

  check(foreign.length === 0, `nothing fetched from elsewhere: ${foreign.join(", ")}`);
  check(problems.length === 0, `no script errors: ${problems.join("; ")}`);
} catch (err) {
  console.error("FAIL:", err.message);
  failed = true;
  for (const p of browser.contexts().flatMap((c) => c.pages())) {
    await p.screenshot({ path: join(artefacts, "failure.png"), fullPage: true }).catch(() => {});
    console.error("page at failure:", p.url(), (await p.evaluate(() => document.querySelector("#page")?.innerText).catch(() => "")).slice(0, 2000));
  }
} finally {
  for (const p of problems) console.error(p);
  await browser.close();
}
console.log(`${checks} checks passed; screenshots in ${artefacts}`);
if (failed) process.exit(1);
if (skipped.length) {
  for (const s of skipped) console.log(`SKIPPED: ${s}`);
  process.exit(77);
}
