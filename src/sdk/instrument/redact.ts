/**
 * URLs as they may appear in spans: credentials replaced (`REDACTED:REDACTED@`, as the HTTP
 * semantic conventions ask) and the values of secret-looking query, fragment and path parameters
 * (`token`, `key`, `secret`, `password`, `auth`, `session`, `sig`, `code`, …) replaced by `REDACTED`.
 */
export const REDACTED = 'REDACTED';

// `sess` only as a whole first word (sess, sess_id), `sid` as a last one (sid, connect.sid,
// PHPSESSID): `assess=`, `side=` stay.
const SECRET = /token|key|secret|pass|pwd|auth|session|sid$|^sess(?:[_-]|$)|sig|code|credential|jwt|otp|ticket|nonce|state|bearer|cookie/i;
const MAX_DATA_URL = 64;

/**
 * Replaces the values of `name=value` pairs whose name looks secret, and those holding such a pair
 * themselves, percent-encoded or not: a return URL (`?next=%2Fverify%3Ftoken%3D…`) keeps its secrets.
 * A name with no `=` after it is matched too (no value): else each of its characters would start a
 * new try, quadratic in a long `=`-less query or fragment (a state blob: seconds for 32 KB).
 * `unescape`, not `decodeURIComponent`: it never throws (a stray `%`), and secret names are ASCII.
 */
function redactParams(part: string, pairs = /([^&;=?#]+)(?:=([^&;#]*))?/g): string {
  return part.replace(pairs, (all, name: string, value?: string) =>
    value && (SECRET.test(unescape(name)) || redactParams((value = unescape(value))) != value) ? `${name}=${REDACTED}` : all,
  );
}

/**
 * Returns `url` resolved against `base` and redacted; non-URLs come back without their query and
 * credentials.
 * A `URL` (parsed once on the request hot path) is only read: with credentials it is copied first.
 */
export function redactUrl(url: string | URL, base?: string): string {
  let u: URL;
  try {
    u = url instanceof URL && !url.username && !url.password ? url : new URL(url, base);
  } catch {
    // Browsers quote URLs they could not parse in their messages (fetch, WebSocket), credentials too.
    return String(url).split(/[?#]/)[0].replace(/\/\/[^/]*@/, '//').slice(0, 256);
  }
  if (u.protocol === 'data:' || u.protocol === 'blob:') return u.href.slice(0, MAX_DATA_URL);
  if (u.username) u.username = REDACTED;
  if (u.password) u.password = REDACTED;
  // Rebuild from the parts so the query and fragment keep their exact original encoding.
  const href = u.href;
  // Path parameters too (`/app;jsessionid=…`: servlet URL rewriting). The `;` is part of the
  // name matched (no lookbehind: older Safari cannot parse it).
  const path = redactParams(href.slice(0, href.length - u.search.length - u.hash.length), /(;[^;=/]+)=([^;/]*)/g);
  return path + redactParams(u.search) + redactParams(u.hash);
}

/** `text` (a stack trace) with each http(s) or ws(s) URL in it redacted; `:line:column` suffixes are kept. */
export function redactUrls(text: string): string {
  // Each URL taken whole, its suffix split off after: a lazy match with a look-ahead for the end
  // scanned to the end of the text from every `http://` in it (quadratic: 28 KB took 120 ms).
  return text.replace(/(?:http|ws)s?:\/\/[^\s()]+/g, (u) => {
    const at = /(?::\d+){0,2}$/.exec(u)!.index;
    return redactUrl(u.slice(0, at)) + u.slice(at);
  });
}
