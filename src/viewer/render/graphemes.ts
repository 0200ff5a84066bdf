/**
 * Cutting text at user-perceived characters: a cut inside a family emoji (👨‍👩‍👧), a flag (🇩🇪), a
 * skin-tone emoji or a letter + combining accent drew a broken glyph. Strings of Latin-1 and the
 * spacing letters below U+0300 (nearly all names) cut anywhere; the others are segmented once.
 */

/** Below U+0300 every code unit is a grapheme of its own (but CR LF, which a cut may split). */
const SIMPLE = /^[\0-\u02ff]*$/;

let segmenter: Intl.Segmenter | null | undefined;

/** Per string: its grapheme starts (ascending), or null when every index is one. */
export type GraphemeCache = Map<string, Uint32Array | null>;

function startsOf(s: string, cache?: GraphemeCache): Uint32Array | null {
  let b = cache?.get(s);
  if (b !== undefined) return b;
  if (segmenter === undefined) segmenter = typeof Intl !== 'undefined' && Intl.Segmenter ? new Intl.Segmenter() : null;
  if (SIMPLE.test(s) || !segmenter) b = null;
  else {
    const out: number[] = [];
    for (const g of segmenter.segment(s)) out.push(g.index);
    b = Uint32Array.from(out);
  }
  if (cache) {
    // Names cut are few compared with the frames drawing them; a cap keeps a stream of new ones bounded.
    if (cache.size >= 4096) cache.clear();
    cache.set(s, b);
  }
  return b;
}

/** The largest n' <= n where `s` can be cut (a grapheme boundary); `cache` for strings cut again and again. */
export function graphemeCut(s: string, n: number, cache?: GraphemeCache): number {
  if (n <= 0 || n >= s.length) return Math.max(0, Math.min(n, s.length));
  const b = startsOf(s, cache);
  if (!b) {
    // Not between the halves of a surrogate pair (no segmenter).
    const c = s.charCodeAt(n - 1);
    return c >= 0xd800 && c < 0xdc00 ? n - 1 : n;
  }
  let lo = 0;
  let hi = b.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (b[mid] <= n) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? b[lo - 1] : 0;
}

/** `s` cut to at most `max` code units (at a grapheme boundary) with an ellipsis. */
export function cutText(s: string, max: number): string {
  // Only the head is segmented (whether `max` starts a grapheme depends on the characters up to it):
  // a 10 MB value of non-Latin text took a second to segment whole.
  return s.length > max ? `${s.slice(0, graphemeCut(s.slice(0, max + 1), max))}…` : s;
}
