// The JSON API as the pages use it: the signed-in token (sessionStorage, this tab only), GETs
// with `Authorization: Bearer`, and API errors as exceptions carrying the API's message.
const KEY = "mucstream.dashboard.token";

export const token = {
  get: () => sessionStorage.getItem(KEY),
  set: (t) => sessionStorage.setItem(KEY, t),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// Called with the error when the token is refused (401), so the app can ask for another.
let onUnauthorized = () => {};
export function whenUnauthorized(fn) { onUnauthorized = fn; }

// GET path (with its query) → parsed JSON; throws ApiError with the API's error message.
export async function get(path, params) {
  const q = params ? "?" + new URLSearchParams(Object.entries(params).filter(([, v]) => v !== undefined && v !== null && v !== "")) : "";
  const res = await fetch(path + (q === "?" ? "" : q), { headers: { Authorization: "Bearer " + token.get() } });
  let body = null;
  try { body = await res.json(); } catch { /* a proxy's HTML error page: the status says enough */ }
  if (!res.ok) {
    const message = body && body.error ? body.error.message : `HTTP ${res.status}`;
    const err = new ApiError(res.status, `${path}: ${message}`);
    if (res.status === 401) onUnauthorized(err);
    throw err;
  }
  return body;
}
