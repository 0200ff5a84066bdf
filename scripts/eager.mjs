// V8 compiles a script's functions lazily: each is pre-parsed when the script loads, then parsed
// again and compiled on the main thread when first called. A function expression right after `(`
// is compiled at load instead, in one pass — for a `<script src>`, on the background thread that
// streams the script. The functions start() runs are marked in the source with an `'eager';`
// directive; in the script-tag bundles they become parenthesized expressions here, which moves
// their compilation out of start(). ES module builds drop the directive instead (minify.mjs): an
// app's bundler would remove the parentheses anyway.
import { parse } from 'acorn';
import { decode, encode } from '@jridgewell/sourcemap-codec';

const MARK = 'eager';

/**
 * Rewrites marked functions of minified `code` as parenthesized expressions; `map` (a source map's
 * JSON text) is moved to match.
 */
export function eagerFunctions(code, map) {
  const edits = [];
  const visit = (node) => {
    if (!node || typeof node.type !== 'string') return;
    const fn = /^Function(Declaration|Expression)$/.test(node.type) && node.body.body;
    const mark = fn && fn[0]?.directive === MARK ? fn[0] : undefined;
    if (mark) {
      edits.push([mark.start, mark.end, '']);
      // A declaration becomes `var f=(function(){…});`: assigned where it stands, not hoisted,
      // which holds because the bundle defines its functions before its top-level code calls them.
      if (node.type === 'FunctionDeclaration') {
        edits.push([node.start, node.id.end, `var ${node.id.name}=(${node.async ? 'async ' : ''}function${node.generator ? '*' : ''}`]);
        edits.push([node.end, node.end, ');']);
      } else if (!/^(async\s*)?function/.test(code.slice(node.start, node.start + 16))) {
        // A method's body: V8 has no such hint for methods.
        throw new Error(`'${MARK}' marks a method, which cannot be compiled eagerly: ${code.slice(node.start - 40, node.start + 20)}`);
      } else if (code[node.start - 1] !== '(') {
        edits.push([node.start, node.start, '('], [node.end, node.end, ')']);
      }
    }
    for (const key in node) {
      const v = node[key];
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v.type === 'string') visit(v);
    }
  };
  visit(parse(code, { ecmaVersion: 'latest', sourceType: 'script' }));
  // From the end, so earlier offsets stay valid. Where one declaration ends and the next begins,
  // the next one's rewrite goes first, so the closing `);` lands before its `var f=(`.
  edits.sort((a, b) => b[0] - a[0] || b[1] - a[1]);
  let out = code;
  for (const [start, end, text] of edits) out = out.slice(0, start) + text + out.slice(end);
  return { code: out, map: map && moveMap(code, map, edits) };
}

/** The source map of `code` after `edits` (each within a line, from the end back): generated columns move. */
function moveMap(code, json, edits) {
  const m = JSON.parse(json);
  const lines = decode(m.mappings);
  const lineStarts = [0];
  for (let i = code.indexOf('\n'); i >= 0; i = code.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  for (const [start, end, text] of edits) {
    let line = lineStarts.length - 1;
    while (lineStarts[line] > start) line--;
    const col = start - lineStarts[line];
    const removed = end - start;
    // Mappings after the edit move with it; one inside removed text points at where it was.
    // Edits come from the end back, so the columns of those before this one are still the original.
    for (const seg of lines[line] ?? []) {
      if (seg[0] >= col + removed) seg[0] += text.length - removed;
      else if (seg[0] > col) seg[0] = col;
    }
  }
  m.mappings = encode(lines);
  return JSON.stringify(m);
}
