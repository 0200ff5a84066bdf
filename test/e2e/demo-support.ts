// Runs the demo stack the way `npm start` does (scripts/start.mjs), on free ports with a
// temporary data directory, and reads what its OTLP receiver holds.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

export interface OtlpKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string; doubleValue?: number; boolValue?: boolean };
}
export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpKeyValue[];
  status?: { code?: number; message?: string };
}
export interface OtlpRequest {
  resourceSpans: Array<{ resource: { attributes: OtlpKeyValue[] }; scopeSpans: Array<{ scope: { name: string }; spans: OtlpSpan[] }> }>;
}
export interface TraceSummary {
  traceId: string;
  services: string[];
  rootName: string;
  rootService: string;
  startMs: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
}
/** A span with its service name and attributes flattened, for assertions. */
export interface FlatSpan extends OtlpSpan {
  service: string;
  attrs: Record<string, string | number | boolean | undefined>;
  durationMs: number;
}

export const OTLP_KIND = { INTERNAL: 1, SERVER: 2, CLIENT: 3 } as const;

/** Ports the OS says are free now (held open together so they differ). */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<ReturnType<typeof createServer>>((ok) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => ok(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((ok) => s.close(ok))));
  return ports;
}

export interface DemoStack {
  app: string;
  viewer: string;
  api: string;
  inventory: string;
  receiver: string;
  dataDir: string;
  process: ChildProcess;
  /** Child process ids printed by start.mjs, by service. */
  pids: number[];
  output: () => string;
  /** Sends `signal` to start.mjs and resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startDemo(extraEnv: Record<string, string> = {}): Promise<DemoStack> {
  const [app, viewer, api, inventory, receiver] = await freePorts(5);
  const dataDir = mkdtempSync(join(tmpdir(), 'spanbeam-demo-'));
  const child = spawn(process.execPath, ['scripts/start.mjs'], {
    cwd: ROOT,
    env: {
      ...process.env,
      SPANBEAM_SKIP_BUILD: '1', // `npm test` has built dist/ already
      SPANBEAM_DATA_DIR: dataDir,
      APP_PORT: String(app),
      VIEWER_PORT: String(viewer),
      API_PORT: String(api),
      INVENTORY_PORT: String(inventory),
      RECEIVER_PORT: String(receiver),
      DEMO_FAILURE_RATE: '0',
      DEMO_SLOW_MS: '150',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the demo did not start within 45 s:\n${out}`)), 45_000);
    const check = () => {
      if (out.includes('[spanbeam] ready')) {
        clearTimeout(timer);
        ok();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`start.mjs exited (${code}) before it was ready:\n${out}`));
    });
  });
  const pids = [...out.matchAll(/pid (\d+)/g)].map((m) => Number(m[1]));
  const origin = (p: number) => `http://127.0.0.1:${p}`;
  return {
    app: origin(app),
    viewer: origin(viewer),
    api: origin(api),
    inventory: origin(inventory),
    receiver: origin(receiver),
    dataDir,
    process: child,
    pids: [...new Set(pids)],
    output: () => out,
    async stop(signal: NodeJS.Signals = 'SIGINT') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const code = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function listTraces(stack: DemoStack, query = ''): Promise<TraceSummary[]> {
  const res = await fetch(`${stack.receiver}/api/traces${query}`);
  return ((await res.json()) as { traces: TraceSummary[] }).traces;
}

export async function getTrace(stack: DemoStack, traceId: string): Promise<OtlpRequest> {
  const res = await fetch(`${stack.receiver}/api/traces/${traceId}`);
  if (!res.ok) throw new Error(`GET trace ${traceId}: ${res.status}`);
  return (await res.json()) as OtlpRequest;
}

function attrValue(v: OtlpKeyValue['value']): string | number | boolean | undefined {
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return v.doubleValue;
  return v.boolValue;
}

/** Every span of an OTLP request, with its service name. */
export function flatten(req: OtlpRequest): FlatSpan[] {
  return req.resourceSpans.flatMap((rs) => {
    const service = String(attrValue(rs.resource.attributes.find((a) => a.key === 'service.name')?.value ?? {}) ?? '');
    return rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((s) => ({
        ...s,
        service,
        attrs: Object.fromEntries((s.attributes ?? []).map((a) => [a.key, attrValue(a.value)])),
        durationMs: (Number(BigInt(s.endTimeUnixNano) - BigInt(s.startTimeUnixNano)) / 1e6),
      })),
    );
  });
}

/** Polls `fn` until it returns a value (not undefined), or throws after `timeoutMs`. */
export async function eventually<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 250));
  }
}
