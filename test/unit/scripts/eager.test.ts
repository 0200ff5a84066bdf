// The script-tag build's rewrite of `'eager'`-marked functions into parenthesized expressions.
import { decode } from '@jridgewell/sourcemap-codec';
import { minify } from 'terser';
import { describe, expect, it } from 'vitest';
import { eagerFunctions } from '../../../scripts/eager.mjs';

const rewrite = (code: string): string => eagerFunctions(code).code;
const run = (code: string): unknown => new Function(`${code}; return main();`)();

describe('eagerFunctions', () => {
  it('makes marked declarations parenthesized expressions and drops the mark; others stay as they are', () => {
    const code = 'function b(){return a(1)}function a(x){"eager";return x+1}function main(){"eager";return b()*10}';
    const out = rewrite(code);
    expect(out).toBe('function b(){return a(1)}var a=(function(x){return x+1});var main=(function(){return b()*10});');
    expect(run(out)).toBe(run(code));
  });

  it('keeps async and generator declarations what they are', async () => {
    const out = rewrite('async function f(){"eager";return 1}function*g(){"eager";yield 2}function main(){return[f(),g().next().value]}');
    expect(out).toContain('var f=(async function(){return 1});');
    expect(out).toContain('var g=(function*(){yield 2});');
    const [p, v] = run(out) as [Promise<number>, number];
    expect([await p, v]).toEqual([1, 2]);
  });

  it('parenthesizes a marked function expression once', () => {
    expect(rewrite('var x=function(){"eager";return 1},y=(function(){"eager";return 2})();')).toBe('var x=(function(){return 1}),y=(function(){return 2})();');
  });

  it('refuses a mark on a method (V8 has no eager hint for those) instead of writing broken code', () => {
    expect(() => rewrite('class A{m(){"eager";return 1}}')).toThrow(/marks a method/);
    expect(() => rewrite('var o={get x(){"eager";return 1}}')).toThrow(/marks a method/);
  });

  it('leaves a string statement that is not a directive alone', () => {
    const code = 'function f(){g();"eager"}';
    expect(rewrite(code)).toBe(code);
  });

  it('moves the source map with the code: every mapping away from a rewrite points at the same text', async () => {
    const source = [
      'function helper(a) {',
      "  'eager';",
      '  return a * 2;',
      '}',
      'function untouched(b) { return helper(b) + 1; }',
      'function main() {',
      "  'eager';",
      "  const label = 'result';",
      '  return label + untouched(20);',
      '}',
      'globalThis.keep = [main, untouched];',
    ].join('\n');
    const t = await minify(source, { compress: { directives: false, unused: false }, mangle: false, sourceMap: { includeSources: true } });
    const out = eagerFunctions(t.code!, t.map as string);
    expect(out.code).not.toContain('eager');
    expect(out.code).toContain('var helper=(function(');
    const before = decode(JSON.parse(t.map as string).mappings)[0]!;
    const after = decode(JSON.parse(out.map!).mappings)[0]!;
    expect(after).toHaveLength(before.length);
    // Tokens before, between and after the rewrites still map to their own source text.
    const lines = source.split('\n');
    for (const [generated, original] of [
      ['helper(b)', 'helper(b)'],
      ['"result"', "'result'"],
      ['untouched(20)', 'untouched(20)'],
      ['globalThis.keep', 'globalThis.keep'],
      ['return"result"', 'return label'],
    ]) {
      const at = out.code.indexOf(generated!);
      const seg = after.find((s) => s[0] === at);
      expect(seg, generated).toBeDefined();
      expect(lines[seg![2]!]!.slice(seg![3]!), generated).toMatch(new RegExp(`^${original!.replace(/[().*]/g, '\\$&')}`));
    }
    expect(new Function(`${out.code}; return globalThis.keep[0]();`)()).toBe('result41');
  });
});
