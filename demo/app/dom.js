// Builds DOM from data without markup strings: text goes through textContent only.

/**
 * @param {string} tag
 * @param {Record<string, string | number | boolean | ((e: Event) => void) | undefined>} [props]
 *   `on<event>` keys add listeners; `text` sets textContent; `data-*`, `aria-*`, `class` … become attributes
 * @param {(Node | string)[]} children
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'text') el.textContent = String(value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  el.append(...children);
  return el;
}

/** @param {number} cents */
export const money = (cents) => `$${(cents / 100).toFixed(2)}`;
