// The shop's products. Prices in cents.
export const PRODUCTS = [
  { sku: 'lens-35', name: '35 mm prime lens', priceCents: 42900, emoji: '🔭' },
  { sku: 'tripod-c', name: 'Carbon tripod', priceCents: 18900, emoji: '📐' },
  { sku: 'bag-s', name: 'Shoulder bag', priceCents: 7900, emoji: '👜' },
  { sku: 'card-128', name: '128 GB memory card', priceCents: 3900, emoji: '💾' },
  { sku: 'strap-l', name: 'Leather strap', priceCents: 2900, emoji: '🎗️' },
  { sku: 'filter-nd', name: 'ND filter set', priceCents: 5900, emoji: '🕶️' },
];

/** @param {string} sku */
export const productBySku = (sku) => PRODUCTS.find((p) => p.sku === sku);
