// The dashboard's shell: sign-in (the token stays in this tab's sessionStorage), the
// navigation, and the router from the address's hash (#/page/arg?query) to the pages.
import { token, whenUnauthorized } from "./api.js";
import { errorBox } from "./dom.js";
import * as overview from "./page_overview.js";
import * as histograms from "./page_histograms.js";
import * as rooms from "./page_rooms.js";
import * as room from "./page_room.js";
import * as session from "./page_session.js";
import * as p2p from "./page_p2p.js";
import * as events from "./page_events.js";

const pages = { overview, histograms, rooms, room, session, p2p, events };
const $ = (id) => document.getElementById(id);
let cleanup = null;
let generation = 0;

function parseHash() {
  const raw = location.hash.replace(/^#\/?/, "");
  const [path, query] = raw.split("?");
  const [name, ...rest] = path.split("/");
  let arg = rest.join("/");
  try { arg = decodeURIComponent(arg); } catch { /* a stray % stays as typed; the API says what it names */ }
  return { name: Object.hasOwn(pages, name) ? name : "overview", arg, params: new URLSearchParams(query || "") };
}

// The token's tenant claim (a MUC domain), "" for a token that sees every tenant. Read
// only to say whose figures these are: the API limits what the token sees, whatever this says.
function tenantOf(jwt) {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(part), (c) => c.charCodeAt(0))));
    return typeof claims.tenant === "string" ? claims.tenant : "";
  } catch {
    return "";
  }
}

function signedIn(yes) {
  $("signin").hidden = yes;
  $("nav").hidden = !yes;
  $("signout").hidden = !yes;
  $("page").hidden = !yes;
  const tenant = yes ? tenantOf(token.get()) : "";
  $("tenant").hidden = !yes;
  $("tenant").dataset.tenant = tenant;
  $("tenant").textContent = tenant ? `Tenant: ${tenant}` : "All tenants";
}

async function show() {
  if (cleanup) { cleanup(); cleanup = null; }
  const root = $("page");
  // Each address renders into a container of its own: answers for an address already left
  // land in a detached container, never on the page now shown.
  const view = document.createElement("div");
  root.replaceChildren(view);
  if (!token.get()) { signedIn(false); return; }
  signedIn(true);
  const { name, arg, params } = parseHash();
  for (const a of document.querySelectorAll("#nav a")) a.classList.toggle("current", a.dataset.page === name);
  const mine = ++generation;
  const started = performance.now();
  const hash = location.hash;
  root.dataset.page = name;
  root.dataset.ready = "0";
  const navigate = (next) => { location.hash = `#/${name}${arg ? "/" + encodeURIComponent(arg) : ""}?${next}`; };
  try {
    const done = await pages[name].render(view, { arg, params, navigate });
    if (mine !== generation) { if (typeof done === "function") done(); return; }
    if (typeof done === "function") cleanup = done;
  } catch (err) {
    view.append(errorBox(err));
  }
  // Tests (and screenshots) wait for this: every request of the page has been answered.
  // …and tools/bench/dashboard_pages.mjs reads how long that took (requests and drawing).
  if (mine === generation) {
    root.dataset.renderMs = (performance.now() - started).toFixed(1);
    root.dataset.hash = hash;  // which address is ready (a hash change is handled later)
    root.dataset.ready = "1";
  }
}

// The token is tried on one cheap read before it is kept: a wrong or expired token, or one
// of a role that may not read analytics, is refused here with the API's own message.
$("signin").addEventListener("submit", async (e) => {
  e.preventDefault();
  const candidate = $("token").value.trim();
  $("signin-error").textContent = "";
  const res = await fetch("/v1/rooms?per_page=1", { headers: { Authorization: "Bearer " + candidate } });
  if (!res.ok) {
    let message = `HTTP ${res.status}`;
    try { message = (await res.json()).error.message; } catch { /* not the API's JSON */ }
    $("signin-error").textContent = `Not signed in: ${message}`;
    return;
  }
  token.set(candidate);
  $("token").value = "";
  show();
});
$("signout").addEventListener("click", () => { token.clear(); show(); });
whenUnauthorized((err) => {
  token.clear();
  signedIn(false);
  $("signin-error").textContent = `Signed out: ${err.message}`;
});
window.addEventListener("hashchange", show);
show();
