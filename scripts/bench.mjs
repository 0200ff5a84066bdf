// `npm run bench`: every benchmark in bench/*.mjs (except helpers), one after another, plus sizes.
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const only = process.argv.slice(2);
const files = readdirSync('bench')
  // gen-*: generators; *-ab.mjs: A/B tools comparing the working tree with HEAD (run by hand).
  .filter((f) => f.endsWith('.mjs') && f !== 'lib.mjs' && !f.startsWith('gen-') && !f.endsWith('-ab.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
let failed = 0;
for (const f of files) {
  console.log(`\n=== bench/${f} ===`);
  const r = spawnSync(process.execPath, [`bench/${f}`], { stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
console.log('\n=== bundle sizes ===');
spawnSync(process.execPath, ['scripts/size.mjs', '--compare'], { stdio: 'inherit' });
process.exit(failed ? 1 : 0);
