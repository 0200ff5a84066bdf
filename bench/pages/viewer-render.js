// Bench page: records when the empty viewer is ready and when a loaded trace is first painted
// (performance.now() is milliseconds since navigation start).
import '/bench/.build/viewer/viewer.js';

const bench = { ready: null, loaded: null, error: null, detail: null, firstPaintEpoch: null, firstPaintPartial: null };
window.__bench = bench;
const v = document.querySelector('spanbeam-viewer');
v.addEventListener('spanbeam-load', (e) => {
  bench.detail = e.detail;
  // The canvas is painted synchronously before the event; wait for that frame to be presented.
  requestAnimationFrame(() => setTimeout(() => (bench.loaded = performance.now())));
});
v.addEventListener('spanbeam-error', (e) => (bench.error = e.detail.message));
// First tracks on screen (a preview while the import runs, or the final model): epoch ms of the
// frame after the model was painted, to compare with the server's first byte.
const watch = () => {
  if (v.model) {
    bench.firstPaintPartial = v.partial;
    requestAnimationFrame(() => (bench.firstPaintEpoch = performance.timeOrigin + performance.now()));
    return;
  }
  requestAnimationFrame(watch);
};
requestAnimationFrame(watch);
const src = new URLSearchParams(location.search).get('src');
if (src) v.setAttribute('src', src);
await v.updateComplete;
requestAnimationFrame(() => setTimeout(() => (bench.ready = performance.now())));
