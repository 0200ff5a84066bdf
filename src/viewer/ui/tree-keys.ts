/**
 * The WAI-ARIA tree keys over the rows shown, in order (waterfall spans, track labels): ↑ / ↓ the
 * previous / next row, PageUp / PageDown `page` rows up / down (when given: else the keys are
 * left to scroll), Home / End the first / last; → opens a closed row, or goes to the first
 * child of an open one; ← closes an open row, or goes to its parent; Enter / Space act on the row.
 * `open`: undefined for a row that cannot open. Returns the row to focus (`idx` itself: stay),
 * 'toggle', 'activate', or null for a key that is not the tree's (left to the keys around it).
 */
export function treeKey(e: KeyboardEvent, idx: number, count: number, level: (i: number) => number, open: boolean | undefined, page = 0): number | 'toggle' | 'activate' | null {
  if (e.altKey || e.ctrlKey || e.metaKey) return null; // Alt+← is the browser's Back
  switch (e.key) {
    case 'ArrowDown':
      return Math.min(idx + 1, count - 1);
    case 'ArrowUp':
      return Math.max(idx - 1, 0);
    case 'PageDown':
      return page ? Math.min(idx + page, count - 1) : null;
    case 'PageUp':
      return page ? Math.max(idx - page, 0) : null;
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    case 'ArrowRight':
      if (open === false) return 'toggle';
      return open && idx + 1 < count && level(idx + 1) > level(idx) ? idx + 1 : idx;
    case 'ArrowLeft': {
      if (open) return 'toggle';
      let p = idx - 1;
      while (p >= 0 && level(p) >= level(idx)) p--;
      return p >= 0 ? p : idx;
    }
    case 'Enter':
    case ' ':
      return 'activate';
  }
  return null;
}
