// Test page driver: loads the viewer test bundle, records its events, and honours ?src= and ?theme=.
import '/test/.build/viewer/viewer.js';

const v = document.querySelector('spanbeam-viewer');
const events = [];
window.__events = events;
for (const type of ['spanbeam-load', 'spanbeam-error', 'spanbeam-select', 'spanbeam-progress']) {
  v.addEventListener(type, (e) => events.push({ type, detail: JSON.parse(JSON.stringify(e.detail)) }));
}
const params = new URLSearchParams(location.search);
if (params.get('theme')) v.setAttribute('theme', params.get('theme'));
if (params.get('src')) v.setAttribute('src', params.get('src'));
await customElements.whenDefined('spanbeam-viewer');
await v.updateComplete;
window.__ready = true;
