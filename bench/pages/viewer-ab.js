// A/B bench page: as viewer-render.js, but the viewer build comes from `?build=` (a folder under
// bench/.build) and the load timeline marks are on.
globalThis.spanbeamTiming = true;
const q = new URLSearchParams(location.search);
await import(`/bench/.build/${q.get('build')}/viewer.js`);
performance.mark('spanbeam:defined');
const bench = { ready: null, loaded: null, error: null };
window.__bench = bench;
const v = document.querySelector('spanbeam-viewer');
v.addEventListener('spanbeam-load', () => requestAnimationFrame(() => setTimeout(() => (bench.loaded = performance.now()))));
v.addEventListener('spanbeam-error', (e) => (bench.error = e.detail.message));
const src = q.get('src');
if (src) v.setAttribute('src', src);
await v.updateComplete;
requestAnimationFrame(() => setTimeout(() => (bench.ready = performance.now())));
