/**
 * Slice colours: a stable hash of the name picks a palette entry, Chrome `cname` picks a named
 * colour, errors override both. Colours are kept as packed RGBA words for the pixel buffer
 * (little-endian: 0xAABBGGRR) and as CSS strings for the 2D context.
 */

/** Palette (hue-spread, mid lightness so dark text stays readable on it). */
const PALETTE_HEX = [
  '#7eb6e8', '#f0a868', '#8fd19e', '#e88f8f', '#b9a3e3', '#d9b38c', '#f2a7d6', '#a9c96b',
  '#79cfc9', '#e6c95c', '#9bb0d6', '#d79a76', '#a6d9ae', '#c9a0c9', '#94c5e3', '#e3b38f',
];

/** Chrome's reserved `cname` values (catapult color scheme), approximated. */
const CNAMES: Record<string, string> = {
  good: '#4c9d4c', bad: '#b57b3a', terrible: '#b43a3a', yellow: '#d8c53a', olive: '#8c8c3a',
  rail_response: '#4d73c8', rail_animation: '#d14d4d', rail_idle: '#d1b34d', rail_load: '#4da87a',
  startup: '#e6ad3a', heap_dump_stack_frame: '#808080', heap_dump_object_type: '#0000ff',
  generic_work: '#7d7d7d', black: '#000000', grey: '#dddddd', white: '#ffffff',
  thread_state_uninterruptible: '#b6394b', thread_state_iowait: '#ffa500', thread_state_running: '#7eb87e',
  thread_state_runnable: '#85b5c9', thread_state_sleeping: '#f0f0f0', thread_state_unknown: '#c7cdd4',
  light_memory_dump: '#0080ff', detailed_memory_dump: '#0040bf', vsync_highlight_color: '#00ff00',
  cq_build_running: '#ffffb7', cq_build_passed: '#a4e8a4', cq_build_failed: '#e8a4a4',
  cq_build_abandoned: '#ccc', cq_build_attempt_runnig: '#a5d6e8', cq_build_attempt_passed: '#5ca15c',
  cq_build_attempt_failed: '#b34747',
};

export function packHex(hex: string, alpha = 255): number {
  let h = hex.replace('#', '');
  if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
  const r = parseInt(h.slice(0, 2), 16) || 0;
  const g = parseInt(h.slice(2, 4), 16) || 0;
  const b = parseInt(h.slice(4, 6), 16) || 0;
  return packRgb(r, g, b, alpha);
}

export function packRgb(r: number, g: number, b: number, a = 255): number {
  return ((a << 24) | (b << 16) | (g << 8) | r) >>> 0;
}

export function unpackCss(c: number): string {
  return `rgb(${c & 255},${(c >>> 8) & 255},${(c >>> 16) & 255})`;
}

/** Mixes packed colour c towards packed colour `to` by t (0..1). */
export function mix(c: number, to: number, t: number): number {
  const ch = (sh: number): number => Math.round(((c >>> sh) & 255) * (1 - t) + ((to >>> sh) & 255) * t);
  return packRgb(ch(0), ch(8), ch(16));
}

/**
 * WCAG relative luminance 0..1 of a packed colour (to choose a label colour with enough
 * contrast: the sRGB channels are linearised, as the contrast ratio is defined).
 */
export function luminance(c: number): number {
  const ch = (sh: number): number => {
    const v = ((c >>> sh) & 255) / 255;
    return v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * ch(0) + 0.7152 * ch(8) + 0.0722 * ch(16);
}

/** FNV-1a over UTF-16 units: stable across sessions and machines. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const PALETTE: readonly number[] = PALETTE_HEX.map((h) => packHex(h));

export function paletteIndexOf(name: string): number {
  // Digits are ignored so "request 12" and "request 13" share a colour, as in chrome://tracing.
  return hashString(name.replace(/\d+/g, '')) % PALETTE.length;
}

export function cnameColor(cname: string): number | undefined {
  const hex = CNAMES[cname];
  return hex === undefined ? undefined : packHex(hex);
}

/**
 * Parses any CSS colour to a packed word using a scratch 2D context (the browser's own parser),
 * so theme custom properties may use any syntax.
 */
export function parseCssColor(ctx: CanvasRenderingContext2D, css: string, fallback: number): number {
  const v = css.trim();
  if (!v) return fallback;
  ctx.fillStyle = '#010203';
  ctx.fillStyle = v;
  const norm = String(ctx.fillStyle);
  if (norm.startsWith('#')) return norm === '#010203' && v !== '#010203' ? fallback : packHex(norm);
  return parseRgb(norm) ?? fallback;
}

/**
 * A colour as browsers serialise it (canvas fillStyle, getComputedStyle): `rgb(r, g, b)`,
 * `rgba(r, g, b, a)`, or `color(srgb r g b / a)` (relative colours, color-mix()). Else undefined.
 */
export function parseRgb(css: string): number | undefined {
  const m = /^(rgba?|color)\(\s*(srgb\s+)?([^)]*)\)$/.exec(css.trim());
  if (!m || (m[1] === 'color' && !m[2])) return undefined;
  const p = m[3].split(/[\s,/]+/).map((x) => parseFloat(x));
  const k = m[1] === 'color' ? 255 : 1;
  const ch = (x: number): number => Math.max(0, Math.min(255, Math.round(x * k))) || 0;
  return packRgb(ch(p[0]), ch(p[1]), ch(p[2]), Math.round((Number.isNaN(p[3] ?? 1) ? 1 : p[3] ?? 1) * 255));
}

/** Packed colour c composited over opaque colour `under` (alpha dropped: for the pixel buffer). */
export function flatten(c: number, under: number): number {
  return mix(under, c, (c >>> 24) / 255);
}
