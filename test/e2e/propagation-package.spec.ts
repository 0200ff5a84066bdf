// spanbeam/propagation as a Node backend installs it: `npm pack`ed, unpacked into a project's
// node_modules, loaded by plain `node` (ESM and CommonJS) and type-checked as Node and bundler
// projects configure TypeScript. Needs dist/ (built here when missing or older than the sources).
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, TSC, packedProject } from './package-support';

const TP = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
let app: string;

// One worker for the file: the build below must not run twice at once.
test.describe.configure({ mode: 'default' });

test.beforeAll(() => {
  test.setTimeout(300_000);
  app = packedProject('spanbeam-pkg-', { name: 'backend', private: true });
});
test.afterAll(() => rmSync(app, { recursive: true, force: true }));

const use = (load: string) => `${load}
const parent = extractContext({ traceparent: '${TP}', tracestate: ['a=1', 'b=2'] });
const out = {};
injectContext(parent, out);
console.log(JSON.stringify(out));`;

test('plain node loads it with import and with require', () => {
  writeFileSync(join(app, 'esm.mjs'), use("import { extractContext, injectContext } from 'spanbeam/propagation';"));
  writeFileSync(join(app, 'cjs.cjs'), use("const { extractContext, injectContext } = require('spanbeam/propagation');"));
  const expected = { traceparent: TP, tracestate: 'a=1,b=2' };
  for (const file of ['esm.mjs', 'cjs.cjs']) {
    const out = execFileSync(process.execPath, [file], { cwd: app, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(JSON.parse(out), file).toEqual(expected);
  }
});

const server = `import { request, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { extractBaggage, extractContext, injectContext, type RemoteContext } from 'spanbeam/propagation';

export function handle(req: IncomingMessage): RemoteContext | undefined {
  const parent = extractContext(req.headers);
  // @ts-expect-error the exports are typed, not \`any\`
  const wrong: number = parent;
  extractBaggage(req.headersDistinct);
  return wrong === 0 ? undefined : parent;
}

export function call(parent: RemoteContext, init: RequestInit): void {
  const headers: OutgoingHttpHeaders = { 'content-length': 2 };
  injectContext(parent, headers);
  request('http://127.0.0.1:1/', { headers }).end();
  if (init.headers) injectContext(parent, init.headers);
  void fetch('http://127.0.0.1:1/', init).catch(() => undefined);
}
`;

const cjsClient = `import propagation = require('spanbeam/propagation');
export const parent: propagation.RemoteContext | undefined = propagation.extractContext({});
`;

for (const [resolution, module, files] of [
  ['nodenext', 'nodenext', ['server.mts', 'client.cts']],
  ['node16', 'node16', ['server.mts']],
  ['bundler', 'esnext', ['server.ts']],
  // TypeScript's classic CommonJS setup (e.g. Nest's): no `exports` lookup, so package.json's
  // typesVersions must point it at the subpaths' types; the emitted require() works on Node ≥ 20.19.
  ['node10', 'commonjs', ['server.ts']],
] as const) {
  test(`TypeScript types resolve and type Node's carriers (moduleResolution ${resolution})`, () => {
    const dir = join(app, resolution);
    mkdirSync(dir, { recursive: true });
    for (const f of files) writeFileSync(join(dir, f), f.endsWith('.cts') ? cjsClient : server);
    // A Node project: no DOM lib, Node's own fetch types, and the package's .d.ts checked too.
    const args = ['--noEmit', '--strict', '--skipLibCheck', 'false', '--target', 'es2022', '--lib', 'es2022'];
    args.push('--module', module, '--moduleResolution', resolution, '--types', 'node', '--typeRoots', join(ROOT, 'node_modules/@types'));
    let output = '';
    try {
      execFileSync(process.execPath, [TSC, ...args, ...files], { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe('');
  });
}
