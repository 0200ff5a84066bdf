/**
 * URLs as they may appear in spans: credentials replaced (`REDACTED:REDACTED@`, as the HTTP
 * semantic conventions ask) and the values of secret-looking query, fragment and path parameters
 * (`token`, `key`, `secret`, `password`, `auth`, `session`, `sig`, `code`, …) replaced by `REDACTED`.
 */
export const REDACTED = 'REDACTED';

// `sess` only as `sessid` (PHPSESSID) or a whole first word (sess, sess_id): `assess=` stays.
const SECRET = /token|key|secret|pass|pwd|auth|session|sessid|^sess(?:[_-]|$)|sig|code|credential|jwt|otp|ticket|nonce|state|bearer|cookie/i;
const MAX_DATA_URL = 64;

/** Replaces the values of `name=value` pairs whose name looks secret. */
function redactParams(part: string, pairs = /([^&;=?#]+)=([^&;#]*)/g): string {
  return part.replace(pairs, (all, name: string, value: string) =>
    value && SECRET.test(safeDecode(name)) ? `${name}=${REDACTED}` : all,
  );
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * Returns `url` resolved against `base` and redacted; non-URLs come back without their query.
 * A `URL` (parsed once on the request hot path) is only read: with credentials it is copied first.
 */
export function redactUrl(url: string | URL, base?: string): string {
  let u: URL;
  try {
    u = url instanceof URL && !url.username && !url.password ? url : new URL(url, base);
  } catch {
    return String(url).split(/[?#]/)[0].slice(0, 256);
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

/** `text` (a stack trace) with each http(s) URL in it redacted; `:line:column` suffixes are kept. */
export function redactUrls(text: string): string {
  return text.replace(/https?:\/\/[^\s()]+?(?=(?::\d+){0,2}(?:[\s)]|$))/g, (u) => redactUrl(u));
}
