// Checks the import direction between src/ folders (layers are code, as in Perfetto's UI):
// propagation ← sdk ← export; the viewer uses no SDK code except `import type` of the wire model.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const srcArg = process.argv.indexOf('--src');
const SRC = resolve(srcArg > 0 ? process.argv[srcArg + 1] : 'src');
// For each area, which areas it may import at run time. Root files (src/*.ts) are facades.
const ALLOWED = {
  propagation: ['propagation'],
  sdk: ['sdk', 'propagation'],
  export: ['export', 'sdk', 'propagation'],
  viewer: ['viewer'],
  '(root)': ['(root)', 'sdk', 'export', 'propagation'],
};
// Inside the viewer: data layer apart from rendering; only ui/ may import Lit.
const VIEWER_ALLOWED = {
  model: ['model'],
  import: ['import', 'model'],
  render: ['render', 'model'],
  ui: ['ui', 'render', 'model', 'import'],
  '(viewer)': ['(viewer)', 'ui', 'render', 'model', 'import'],
};
const TYPE_ONLY_OK = new Set(['sdk/types.ts']);

function walk(dir) {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : /\.ts$/.test(f) ? [p] : [];
  });
}

const area = (rel) => (rel.includes('/') ? rel.split('/')[0] : '(root)');
const viewerPart = (rel) => {
  const parts = rel.split('/');
  return parts.length > 2 ? parts[1] : '(viewer)';
};

const IMPORT_RE = /^\s*(import|export)\s+(type\s+)?(?:[^'"]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
const problems = [];
for (const file of walk(SRC)) {
  const rel = relative(SRC, file);
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(IMPORT_RE)) {
    const typeOnly = Boolean(m[2]);
    const spec = m[3];
    if (!spec.startsWith('.')) {
      if (/^lit($|\/)|^@lit\//.test(spec) && !(rel.startsWith('viewer/ui/') || rel === 'viewer/index.ts')) {
        problems.push(`${rel}: imports ${spec}; only src/viewer/ui may use Lit`);
      }
      continue;
    }
    const abs = resolve(dirname(file), spec);
    let target = relative(SRC, abs);
    if (existsSync(abs) && statSync(abs).isDirectory()) target = join(target, 'index.ts');
    else if (!target.endsWith('.ts')) target += '.ts';
    const from = area(rel);
    const to = area(target);
    if (!ALLOWED[from]?.includes(to)) {
      if (!(typeOnly && TYPE_ONLY_OK.has(target))) problems.push(`${rel}: ${from} must not import ${to} (${spec})`);
    }
    if (from === 'viewer' && to === 'viewer') {
      const a = viewerPart(rel);
      const b = viewerPart(target);
      if (!VIEWER_ALLOWED[a]?.includes(b) && !typeOnly) problems.push(`${rel}: viewer/${a} must not import viewer/${b} (${spec})`);
    }
  }
}
if (problems.length) {
  console.error(`Layer check failed:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('[spanbeam] layer check: ok');
