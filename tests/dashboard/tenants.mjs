// The dashboard with a tenant's token (tenants.sh): signed in with a token for
// rooms.acme.example, the header says so and the overview's live counts and the rooms list
// are that tenant's (tenants_seed.sql: 2 open rooms of 3, 3 sessions present) with no room of
// rooms.globex.example on the page; signed in again with a token for every tenant, the
// header says "All tenants" and the figures are both tenants'. Each figure is also compared
// with the API's JSON for the same token.
//
// Environment: NODE_DIR, API_URL, TENANT_TOKEN, ALL_TOKEN, ARTEFACTS, CHROMIUM. Exit 0 or 1.
import { createRequire } from "node:module";
import { join } from "node:path";

const env = (name) => {
  if (!process.env[name]) throw new Error(name + " is not set");
  return process.env[name];
};
const api = env("API_URL");
const artefacts = env("ARTEFACTS");
const require = createRequire(join(env("NODE_DIR"), "package.json"));
const { chromium } = require("playwright-core");
const STEP_MS = 15000;
let checks = 0;

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
  checks++;
}

async function apiGet(path, token) {
  const res = await fetch(api + path, { headers: { Authorization: "Bearer " + token } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

async function figures(page) {
  return page.evaluate(() => Object.fromEntries([...document.querySelectorAll("#page [data-k][data-value]")]
    .map((el) => [el.dataset.k, el.dataset.value])));
}

async function open(page, hash, name) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  await page.waitForFunction((h) => {
    const root = document.querySelector("#page");
    return root.dataset.ready === "1" && root.dataset.hash === h;
  }, hash, { timeout: STEP_MS });
  await page.screenshot({ path: join(artefacts, `${name}.png`), fullPage: true });
  return figures(page);
}

async function signIn(page, token) {
  await page.goto(`${api}/dashboard`);
  await page.waitForSelector("#signin:not([hidden])", { timeout: STEP_MS });
  await page.fill("#token", token);
  await page.click("#signin button[type=submit]");
  await page.waitForSelector("#signout:not([hidden])", { timeout: STEP_MS });
}

// One sign-in: the header, the overview's live counts, the rooms list.
async function session(page, token, want) {
  await signIn(page, token);
  const header = await page.evaluate(() => {
    const t = document.querySelector("#tenant");
    return { hidden: t.hidden, text: t.textContent, tenant: t.dataset.tenant };
  });
  check(!header.hidden && header.text === want.header, `header "${header.text}", want "${want.header}"`);
  check(header.tenant === want.tenant, `data-tenant "${header.tenant}", want "${want.tenant}"`);

  const overview = await open(page, "#/overview", `overview-${want.name}`);
  const o = await apiGet("/v1/analytics/overview", token);
  check(overview["now.rooms"] === String(o.now.rooms), `now.rooms: page ${overview["now.rooms"]}, API ${o.now.rooms}`);
  check(o.now.rooms === want.openRooms, `open rooms ${o.now.rooms}, want ${want.openRooms}`);
  check(overview["now.sessions"] === String(want.sessions), `now.sessions: page ${overview["now.sessions"]}, want ${want.sessions}`);

  const rooms = await open(page, "#/rooms", `rooms-${want.name}`);
  const r = await apiGet("/v1/rooms?per_page=50", token);
  check(rooms.total === String(r.total) && r.total === want.rooms, `rooms total: page ${rooms.total}, API ${r.total}, want ${want.rooms}`);
  // Each row's room JID (its name cell's title).
  const jids = await page.$$eval("#rooms td[title]", (cells) => cells.map((c) => c.title));
  check(jids.length === want.rooms, `${jids.length} rows, want ${want.rooms}`);
  check(jids.filter((j) => j.endsWith("@rooms.acme.example")).length === 3, `acme's 3 rooms listed: ${jids}`);
  check(want.globex === jids.some((j) => j.endsWith("@rooms.globex.example")),
        `globex rooms ${want.globex ? "" : "not "}on the rooms page: ${jids}`);
  await page.click("#signout");
  await page.waitForSelector("#signin:not([hidden])", { timeout: STEP_MS });
  check(await page.evaluate(() => document.querySelector("#tenant").hidden), "signed out: no tenant shown");
}

const browser = await chromium.launch({ executablePath: env("CHROMIUM"), args: ["--no-sandbox"] });
let failed = false;
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on("pageerror", (err) => problems.push(`page error: ${err}`));
  await session(page, env("TENANT_TOKEN"), {
    name: "acme", header: "Tenant: rooms.acme.example", tenant: "rooms.acme.example",
    openRooms: 2, sessions: 3, rooms: 3, globex: false,
  });
  await session(page, env("ALL_TOKEN"), {
    name: "all", header: "All tenants", tenant: "", openRooms: 5, sessions: 8, rooms: 7, globex: true,
  });
  check(problems.length === 0, `no script errors: ${problems}`);
  console.log(`ok: ${checks} checks`);
} catch (err) {
  console.error("FAIL: " + err.message);
  failed = true;
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
