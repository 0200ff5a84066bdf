// Vite build options of the script-tag bundles, shared by every build of them: dist/
// (scripts/build.mjs), the browser tests and the start-up benchmark measure the same code.
/**
 * @param {string} entry
 * @param {string} [fileName]
 */
export const scriptTagBuild = (entry, fileName = 'x.js') => ({
  lib: { entry, formats: /** @type {['iife']} */ (['iife']), name: 'Spanbeam', fileName: () => fileName },
  // Strict code, as the ES modules it is made of (zone.js's Object.prototype.toString patch,
  // sloppy, turned `toString.call(null)` into "[object Window]"). Inside the wrapper: a page that
  // concatenates scripts keeps its own mode.
  rolldownOptions: { output: { intro: '"use strict";' } },
});
