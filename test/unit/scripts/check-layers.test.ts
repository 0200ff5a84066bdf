import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { afterEach, expect, it } from 'vitest';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function check(files: Record<string, string>): { code: number | null; out: string } {
  dir = mkdtempSync(join(tmpdir(), 'layers-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const r = spawnSync(process.execPath, ['scripts/check-layers.mjs', '--src', dir], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

it('accepts the allowed directions', () => {
  const r = check({
    'propagation/a.ts': 'export const a = 1;',
    'sdk/types.ts': 'export type T = 1;',
    'sdk/b.ts': "import { a } from '../propagation/a';",
    'export/c.ts': "import { a } from '../propagation/a';\nimport type { T } from '../sdk/types';",
    'viewer/model/m.ts': "import type { T } from '../../sdk/types';",
    'viewer/ui/u.ts': "import { LitElement } from 'lit';\nimport { x } from '../model/m';",
  });
  expect(r.out).toContain('ok');
  expect(r.code).toBe(0);
});

it('rejects propagation importing sdk, sdk importing export, and the viewer importing SDK code', () => {
  const r = check({
    'propagation/a.ts': "import { b } from '../sdk/b';",
    'sdk/b.ts': "import { c } from '../export/c';",
    'export/c.ts': 'export const c = 1;',
    'viewer/model/m.ts': "import { b } from '../../sdk/b';",
  });
  expect(r.code).toBe(1);
  expect(r.out).toContain('propagation/a.ts: propagation must not import sdk');
  expect(r.out).toContain('sdk/b.ts: sdk must not import export');
  expect(r.out).toContain('viewer/model/m.ts: viewer must not import sdk');
});

it('keeps the viewer data layer apart from rendering and Lit in ui/ only', () => {
  const r = check({
    'viewer/model/m.ts': "import { r } from '../render/r';",
    'viewer/render/r.ts': "import { html } from 'lit';",
  });
  expect(r.code).toBe(1);
  expect(r.out).toContain('viewer/model must not import viewer/render');
  expect(r.out).toContain('only src/viewer/ui may use Lit');
});
