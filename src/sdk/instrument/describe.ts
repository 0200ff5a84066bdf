/**
 * A short, stable name for an event target — never its value or text content:
 * `data-trace-name` on it or an ancestor, else the nearest control's tag with its id (one of
 * letters and `-`), or its role/aria-label/name, or up to two classes.
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
  // Only an id of letters and `-`: generated ones have digits, `_`, `:` or `«` (React's useId
  // `:r3:`/`«r5»`/`_r_a_`, also behind a prefix; Svelte's `$props.id()`; UI kits' `mui-12`; list
  // rows' `row-42`) and change from mount to mount, a span name each time.
  if (/^[a-z-]+$/i.test(el.id)) return `${d}#${el.id}`;
  // `type` on inputs only (getAttribute('') is null).
  for (const a of ['role', 'aria-label', 'name', d == 'input' ? 'type' : '']) {
    const v = el.getAttribute(a);
    if (v) d += `[${a}="${v.slice(0, 40)}"]`;
  }
  // The attribute, not `className`: on SVG elements that is an SVGAnimatedString.
  const cls = el.getAttribute('class')?.trim();
  return cls && d === el.localName ? d + '.' + cls.split(/\s+/, 2).join('.') : d;
}
