// Production minification shared by the build, the size check and the startup bench: terser
// with internal members mangled. By convention `_name` (one underscore) marks a property that is
// internal to the SDK — private class members, internal object keys — so it may be renamed;
// public API names never start with `_`, and `__dunder__` names (zone.js) are left alone.
import { minify } from 'terser';
import { eagerFunctions } from './eager.mjs';

export const MANGLE_PROPS = /^_[^_]/;

/**
 * Minifies one file. Files loaded together (an ESM entry and its shared chunks) must share one
 * `shared` object, so a mangled member has the same name in each.
 */
export async function minifyProd(code, { module = true, compress = false, shared = {}, map, file } = {}) {
  // Only the property names are shared; each file keeps its own top-level names.
  const nameCache = { props: shared.props };
  const r = await minify(code, {
    module,
    ecma: 2020,
    nameCache,
    // For ESM that bundlers minify again, full compress passes reorder code in ways brotli then
    // packs slightly worse. A few are kept: constants inlined, unused names dropped and function
    // declarations hoisted (bundlers do not inline the `var`s Rolldown makes of our constants),
    // and neighbouring declarations joined (`const a=1,b=2`: ~70 B less brotli for the whole SDK).
    // The script-tag IIFE ships as is and gains from full passes.
    // `'eager'` directives (eager.mjs) stay for the script tag's rewrite below; ES modules drop them.
    compress: compress
      ? { passes: 2, directives: module }
      : { defaults: false, reduce_vars: true, unused: true, evaluate: true, hoist_funs: true, join_vars: true, directives: true },
    mangle: { properties: { regex: MANGLE_PROPS } },
    // A script's outer `function(){…}()` is compiled lazily by V8 (pre-parsed, then parsed again
    // when called at once); parenthesized, it is compiled eagerly, in one pass: the script-tag
    // bundle evaluates ~0.6 ms (CPU) faster here.
    format: { comments: false, wrap_iife: !module },
    sourceMap: map ? { content: map, url: `${file}.map` } : false,
  });
  shared.props = nameCache.props;
  return module ? { code: r.code, map: r.map } : eagerFunctions(r.code, r.map);
}
