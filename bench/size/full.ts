// Everything a page gets from start(): core, every instrumentation, OTLP export with the
// IndexedDB outbox, web-vitals (attribution build) and idb. zone.js is excluded (a peer).
export { start } from '../../src/index';
