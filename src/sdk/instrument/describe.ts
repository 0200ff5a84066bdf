/**
 * A short, stable name for an event target — never its value or text content:
 * `data-trace-name` on it or an ancestor, else the nearest control's tag with its id, or its
 * role/aria-label/name, or up to two classes.
 */
const CONTROL = 'a,button,input,select,textarea,summary,label,option,[role],[onclick]';

export function pickTarget(path: EventTarget[]): Element | undefined {
  let first: Element | undefined;
  for (const n of path) {
    if (!(n instanceof Element)) continue;
    if (n.hasAttribute('data-trace-name')) return n;
    first ??= n;
  }
  for (const n of path) if (n instanceof Element && n.matches(CONTROL)) return n;
  return first;
}

export function describeTarget(el: Element | undefined): string {
  if (!el) return 'document';
  const named = el.getAttribute('data-trace-name');
  if (named) return named.slice(0, 80);
  let d = el.localName;
  if (el.id) return `${d}#${el.id}`.slice(0, 80);
  for (const a of ['role', 'aria-label', 'name', 'type']) {
    const v = el.getAttribute(a);
    if (v && !(a === 'type' && el.localName !== 'input')) d += `[${a}="${v.slice(0, 40)}"]`;
  }
  // The attribute, not `className`: on SVG elements that is an SVGAnimatedString.
  const cls = el.getAttribute('class')?.trim();
  if (cls && d === el.localName) d += '.' + cls.split(/\s+/, 2).join('.');
  return d.slice(0, 80);
}
