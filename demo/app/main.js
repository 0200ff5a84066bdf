// The demo shop, traced with the npm package: `import { start } from 'spanbeam'`.
// zone.js is loaded first, so work a click starts (timers, promises, fetch) stays its child.
import 'zone.js';
import { start } from 'spanbeam';
import { h, money } from './dom.js';

const API = import.meta.env.VITE_SPANBEAM_API;

const spanbeam = start({
  serviceName: 'shop-web',
  serviceVersion: '1.0.0',
  environment: 'demo',
  endpoint: import.meta.env.VITE_SPANBEAM_ENDPOINT,
  // The backend is another origin: only it gets `traceparent` (and it allows the header in CORS).
  propagateTo: [API],
  debug: true,
});
// For the console (and the end-to-end test): `spanbeam.flush()` sends what has ended.
window.spanbeam = spanbeam;

const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

/** @type {{ sku: string, name: string, priceCents: number, qty: number }[]} */
let cart = JSON.parse(localStorage.getItem('demo.cart') ?? '[]');

function status(/** @type {string} */ text, error = false) {
  const el = $('status');
  el.textContent = text;
  el.classList.toggle('error', error);
}

function renderCart() {
  localStorage.setItem('demo.cart', JSON.stringify(cart));
  $('cart-items').replaceChildren(
    ...cart.map((it) =>
      h('li', {}, h('span', { text: `${it.qty} × ${it.name}` }), h('span', { text: money(it.qty * it.priceCents) })),
    ),
  );
  const total = cart.reduce((s, it) => s + it.qty * it.priceCents, 0);
  $('cart-total').textContent = cart.length ? `Total ${money(total)}` : 'Your cart is empty.';
  /** @type {HTMLButtonElement} */ ($('checkout')).disabled = cart.length === 0;
}

/** @param {string} path @param {RequestInit} [init] */
async function api(path, init) {
  const res = await fetch(`${API}${path}`, init);
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(body.error ?? `HTTP ${res.status}`);
  return body;
}

/** @param {{ sku: string, name: string }} product */
async function addToCart(product) {
  status(`Adding ${product.name}…`);
  try {
    const line = await api('/api/cart', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sku: product.sku, qty: 1 }),
    });
    const existing = cart.find((it) => it.sku === product.sku);
    if (existing) existing.qty += 1;
    else cart.push({ sku: product.sku, name: product.name, priceCents: line.priceCents, qty: 1 });
    renderCart();
    status(`Added ${product.name}.`);
  } catch (err) {
    status(`Could not add ${product.name}: ${err.message}`, true);
  }
}

async function checkout() {
  status('Paying… (the payment step is slow on purpose)');
  try {
    const order = await api('/api/checkout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: cart.map(({ sku, qty }) => ({ sku, qty })) }),
    });
    cart = [];
    renderCart();
    status(`Order ${order.orderId} placed: ${money(order.totalCents)}.`);
  } catch (err) {
    status(`Checkout failed: ${err.message}`, true);
  }
}

async function recommend() {
  status('Asking for recommendations…');
  try {
    const { products } = await api('/api/recommendations');
    $('recommendations').replaceChildren(...products.map((p) => h('li', { text: `${p.emoji} ${p.name}` })));
    status('Recommendations loaded.');
  } catch (err) {
    $('recommendations').replaceChildren();
    status(`Recommendations failed: ${err.message} (that endpoint fails on purpose; find it in the viewer)`, true);
  }
}

async function loadProducts() {
  const grid = $('products');
  try {
    const { products } = await api('/api/products');
    grid.replaceChildren(
      ...products.map((p) =>
        h(
          'article',
          { class: 'card', 'data-sku': p.sku },
          h('div', { class: 'emoji', 'aria-hidden': 'true', text: p.emoji }),
          h('h3', { text: p.name }),
          h('p', { class: 'price', text: money(p.priceCents) }),
          h('p', { class: 'stock', text: `${p.inStock} in stock` }),
          h('button', { type: 'button', 'data-trace-name': 'add to cart', onclick: () => addToCart(p) }, 'Add to cart'),
        ),
      ),
    );
  } catch (err) {
    grid.replaceChildren(h('p', { class: 'error', text: `Could not load products: ${err.message}. Is the backend running?` }));
  }
  grid.setAttribute('aria-busy', 'false');
}

$('checkout').addEventListener('click', checkout);
$('recommend').addEventListener('click', recommend);
renderCart();
void loadProducts();
