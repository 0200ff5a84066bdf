// Stand-in while dist/viewer.js is not built: says so instead of failing to import.
customElements.define(
  'spanbeam-viewer',
  class extends HTMLElement {
    load() {
      this.textContent = 'The viewer component is not built (dist/viewer.js missing): run npm run build.';
      this.dispatchEvent(new CustomEvent('spanbeam-error', { detail: { message: 'viewer not built' }, bubbles: true }));
    }
  },
);
