/**
 * Text for the UI. Numbers are formatted without `toLocaleString`: its first call loads ICU
 * locale data (~20 ms on the main thread), and the first render happens while the import worker
 * starts.
 */

/**
 * A message quoting trace text, with its bidi embedding, override and isolate controls written
 * out (`\u202e`): a name holding U+202E would otherwise show the rest of the sentence reversed.
 */
export function bidiVisible(s: string): string {
  return s.replace(/[\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** 1234567 → "1,234,567" (integer part only). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n) || Math.abs(n) >= 1e21) return String(n);
  const s = String(Math.trunc(Math.abs(n)));
  let out = '';
  for (let end = s.length; end > 0; end -= 3) out = (end > 3 ? ',' : '') + s.slice(Math.max(0, end - 3), end) + out;
  return (n <= -1 ? '-' : '') + out;
}

/** A value as `toLocaleString('en-US')` shows it: grouped integer part, at most 3 decimals. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v) || Math.abs(v) >= 1e21) return String(v);
  const r = Math.round(Math.abs(v) * 1000) / 1000;
  const frac = r % 1 === 0 ? '' : r.toFixed(3).replace(/0+$/, '').split('.')[1];
  return `${v < 0 ? '-' : ''}${formatCount(r)}${frac ? `.${frac}` : ''}`;
}
