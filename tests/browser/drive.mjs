// Drives the browser client (page/) in Debian's headless Chromium through playwright-core,
// the way a user would: type, press Enter, click. A slixmpp peer (flow_peer.py) is in the
// same room at the same time and checks what it receives; this side checks what the page
// shows. Steps the room does not advertise (archive, correction, retraction) are reported
// as skipped, never as passed.
//
// Environment: NODE_DIR (node_modules' parent), WEBSOCKET_URL, ROOM, STATE (where the
// peer's ready file is), ARTEFACTS (screenshots). Exit: 0 all ran and passed, 77 some
// steps skipped (the rest passed), 1 failure.
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { extname, join } from "node:path";

const env = (name) => {
  if (!process.env[name]) throw new Error(name + " is not set");
  return process.env[name];
};
const nodeDir = env("NODE_DIR");
const room = env("ROOM");
const state = env("STATE");
const artefacts = env("ARTEFACTS");
const require = createRequire(join(nodeDir, "package.json"));
const { chromium } = require("playwright-core");

const NS_MAM = "urn:xmpp:mam:2";
const NS_CORRECT = "urn:xmpp:message-correct:0";
const NS_RETRACT = "urn:xmpp:message-retract:1";
const ARCHIVED = 25;  // what the peer sent before the browser joined (flow_peer.py)
const STEP_MS = 15000;

const pageDir = new URL("./page/", import.meta.url).pathname;
const bundle = join(nodeDir, "node_modules/@xmpp/client/dist/xmpp.min.js");
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css" };

// The page and the library bundle from loopback: no CDN. 127.0.0.1 is a secure context,
// which @xmpp/client needs (crypto.randomUUID).
function serve() {
  const server = createServer((req, res) => {
    const name = new URL(req.url, "http://x").pathname.slice(1) || "index.html";
    const file = name === "xmpp.js" ? bundle : join(pageDir, name.replace(/[^\w.-]/g, ""));
    if (!existsSync(file)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { "content-type": types[extname(file)] || "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

function check(cond, what) {
  if (!cond) throw new Error("check failed: " + what);
}

async function waitForFile(path, ms) {
  const end = Date.now() + ms;
  while (!existsSync(path)) {
    if (Date.now() > end) throw new Error("timed out waiting for " + path);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function openClient(browser, base, user, nick) {
  const page = await browser.newPage({ viewport: { width: 960, height: 720 } });
  page.on("pageerror", (err) => console.log(`[${nick} page error] ${err}`));
  page.on("console", (m) => { if (m.type() === "error") console.log(`[${nick} console] ${m.text()}`); });
  const q = new URLSearchParams({ ws: env("WEBSOCKET_URL"), room, nick, user, pw: "pw", page: "10" });
  await page.goto(`${base}/index.html?${q}`);
  await page.waitForFunction(() => window.chat.joined || window.chat.errors.length > 0, null, { timeout: STEP_MS });
  const errors = await page.evaluate(() => window.chat.errors);
  check(errors.length === 0, `${nick} joined without errors: ${errors.join("; ")}`);
  return page;
}

const messages = (page) => page.evaluate(() => window.chat.messages());

async function waitForMessage(page, pred, what) {
  await page.waitForFunction(pred, null, { timeout: STEP_MS }).catch(async (err) => {
    throw new Error(`${what}: ${err.message}\nlog: ${JSON.stringify(await messages(page))}`);
  });
}

async function shot(page, name) {
  await page.screenshot({ path: join(artefacts, name) });
}

// Pages the archive back to its beginning with the page's "Load older messages" button.
async function loadWholeArchive(page) {
  for (let i = 0; i < 20 && !(await page.evaluate(() => window.chat.archiveComplete)); i++) {
    const before = await page.evaluate(() => window.chat.archiveQueries);
    await page.click("#older");
    await page.waitForFunction((n) => window.chat.archiveQueries > n && !window.chat.loading, before,
      { timeout: STEP_MS });
  }
  const errors = await page.evaluate(() => window.chat.errors);
  check(errors.length === 0, "archive paging without errors: " + errors.join("; "));
  check(await page.evaluate(() => window.chat.archiveComplete), "the archive ends (complete='true')");
}

async function main() {
  mkdirSync(artefacts, { recursive: true });
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox"],  // runs as root in CI
  });
  const skipped = [];
  try {
    await waitForFile(join(state, "peer-ready"), 30000);
    const page = await openClient(browser, base, "alice", "Browser");
    await page.waitForFunction(() => window.chat.occupants.includes("Bob"), null, { timeout: STEP_MS });
    check((await messages(page)).length === 0, "no join history asked for, none shown");
    await shot(page, "01-joined.png");
    console.log("step join: passed");

    // Exchange: the browser writes first, the peer answers what it saw.
    await page.fill("#text", "hello from the browser");
    await page.press("#text", "Enter");
    await waitForMessage(page, () => window.chat.messages().some(
      (m) => m.nick === "Browser" && m.body === "hello from the browser" && m.stanzaId), "own message reflected with a stanza-id");
    await waitForMessage(page, () => window.chat.messages().some(
      (m) => m.nick === "Bob" && m.body === "hello, browser"), "the peer's answer");
    await shot(page, "02-exchange.png");
    console.log("step exchange: passed");

    const features = await page.evaluate(() => window.chat.features);
    const has = (f) => features.includes(f);

    if (has(NS_MAM)) {
      await loadWholeArchive(page);
      const log = await messages(page);
      const want = [...Array(ARCHIVED).keys()].map((i) => `archived ${i}`)
        .concat(["hello from the browser", "hello, browser"]);
      check(JSON.stringify(log.map((m) => m.body)) === JSON.stringify(want),
        "the archive pages back to the first message, in order, each once: " + JSON.stringify(log.map((m) => m.body)));
      check(log.every((m) => m.stanzaId), "every archived message has its archive id");
      check(new Set(log.map((m) => m.stanzaId)).size === log.length, "archive ids are distinct");
      const queries = await page.evaluate(() => window.chat.archiveQueries);
      check(queries >= 3, `pages of 10 for ${want.length} messages (${queries} queries)`);
      await page.evaluate(() => { document.querySelector("#log").scrollTop = 0; });
      await shot(page, "03-archive.png");
      console.log(`step archive: passed (${queries} pages)`);
    } else {
      skipped.push("archive");
    }

    if (has(NS_CORRECT)) {
      const own = page.locator("#log li.own", { hasText: "hello from the browser" });
      await own.locator("button.edit").click();
      await page.fill("#text", "hello from the browser, corrected");
      await page.press("#text", "Enter");
      await waitForMessage(page, () => window.chat.messages().some(
        (m) => m.nick === "Browser" && m.body === "hello from the browser, corrected" && m.edited), "the correction shown");
      check(!(await messages(page)).some((m) => m.body === "hello from the browser"), "the old text is gone");
      await shot(page, "04-corrected.png");
      console.log("step correction: passed");
    } else {
      skipped.push("correction");
    }

    if (has(NS_RETRACT)) {
      await page.fill("#text", "this one will be retracted");
      await page.press("#text", "Enter");
      await waitForMessage(page, () => window.chat.messages().some(
        (m) => m.body === "this one will be retracted" && m.stanzaId), "the message to retract");
      await page.locator("#log li.own", { hasText: "this one will be retracted" }).locator("button.retract").click();
      await waitForMessage(page, () => window.chat.messages().some((m) => m.nick === "Browser" && m.retracted),
        "the tombstone shown");
      await shot(page, "05-retracted.png");
      console.log("step retraction: passed");
    } else {
      skipped.push("retraction");
    }

    // A newcomer's view from the archive alone: current text with its edited mark, and the
    // tombstone without the body.
    if (has(NS_MAM) && has(NS_CORRECT) && has(NS_RETRACT)) {
      const carol = await openClient(browser, base, "carol", "Carol");
      await loadWholeArchive(carol);
      const log = await messages(carol);
      const edited = log.find((m) => m.body === "hello from the browser, corrected");
      check(edited && edited.edited, "the archive shows the corrected text, marked edited: " + JSON.stringify(log.slice(-4)));
      check(!log.some((m) => m.body === "hello from the browser"), "the archive no longer has the old text");
      check(!log.some((m) => m.body === "this one will be retracted"), "the archive no longer has the retracted body");
      check(log.some((m) => m.nick === "Browser" && m.retracted), "the archive keeps the tombstone");
      await shot(carol, "06-archive-newcomer.png");
      console.log("step archive after correction and retraction: passed");
    }
  } finally {
    writeFileSync(join(state, "browser-done"), skipped.join(" ") + "\n");
    await browser.close();
    server.close();
  }
  if (skipped.length > 0) {
    console.log("SKIPPED (the room does not advertise them): " + skipped.join(", "));
    return 77;
  }
  return 0;
}

main().then((code) => process.exit(code), (err) => {
  console.log("FAIL: " + (err.stack || err));
  process.exit(1);
});
