/**
 * A short, stable name for an event target — never its value or text content:
 * `data-trace-name` on it or an ancestor, else the nearest control's tag with its id, or its
 * role/aria-label/name, or up to two classes.
 */
const CONTROL = 'a,button,input,select,textarea,summary,label,option,[role],[onclick]';

export function pickTarget(path: EventTarget[]): Element | undefined {
  let first: Element | undefined;
  let control: Element | undefined;
  for (const n of path) {
    if (!(n instanceof Element)) continue;
    if (n.hasAttribute('data-trace-name')) return n;
    first ??= n;
    if (!control && n.matches(CONTROL)) control = n;
  }
  return control ?? first;
}

export function describeTarget(el: Element | undefined): string {
  return (el ? describe(el) : 'document').slice(0, 80);
}

function describe(el: Element): string {
  const named = el.getAttribute('data-trace-name');
  if (named) return named;
  let d = el.localName;
  if (el.id) return `${d}#${el.id}`;
  for (const a of ['role', 'aria-label', 'name', 'type']) {
    const v = el.getAttribute(a);
    if (v && !(a === 'type' && el.localName !== 'input')) d += `[${a}="${v.slice(0, 40)}"]`;
  }
  // The attribute, not `className`: on SVG elements that is an SVGAnimatedString.
  const cls = el.getAttribute('class')?.trim();
  return cls && d === el.localName ? d + '.' + cls.split(/\s+/, 2).join('.') : d;
}
