// Vite build options of the script-tag bundles, shared by every build of them: dist/
// (scripts/build.mjs), the browser tests and the start-up benchmark measure the same code.
/**
 * @param {string} entry
 * @param {string} [fileName]
 */
export const scriptTagBuild = (entry, fileName = 'x.js') => ({
  lib: { entry, formats: /** @type {['iife']} */ (['iife']), name: 'Spanbeam', fileName: () => fileName },
  rolldownOptions: {
    // A property of the global object, not `var Spanbeam`: that one is not configurable, so a
    // page's own `let`/`const`/`class Spanbeam` was a SyntaxError (its script, or ours, never ran).
    // Line 1 holds only the wrapper: the source map is unchanged (`map: null`).
    plugins: [{ name: 'spanbeam-global', renderChunk: (/** @type {string} */ code) => ({ code: code.replace(/^var Spanbeam =/, 'globalThis.Spanbeam ='), map: null }) }],
    // Strict code, as the ES modules it is made of (zone.js's Object.prototype.toString patch,
    // sloppy, turned `toString.call(null)` into "[object Window]"). Inside the wrapper: a page that
    // concatenates scripts keeps its own mode.
    output: { intro: '"use strict";' },
  },
});
