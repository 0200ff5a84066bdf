// The demo's local OTLP/HTTP receiver (demo/receiver) on its own: it must accept what the
// OpenTelemetry Collector accepts and refuse what it refuses, answer CORS as the Collector does,
// keep spans across restarts, and serve them to the viewer page (list, one trace, live stream).
import { expect, test } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync, gzipSync, brotliCompressSync } from 'node:zlib';
import { flatten, freePorts, type OtlpRequest, type TraceSummary } from './demo-support';

const ROOT = resolve(import.meta.dirname, '../..');
const APP_ORIGIN = 'http://127.0.0.1:5999';
/** A developer's own page, outside the demo, that exports to the demo's receiver. */
const OWN_ORIGIN = 'http://localhost:3000';

test.describe.configure({ mode: 'serial' });

let dataDir: string;
let port: number;
let receiver: ChildProcess | undefined;
let base: string;
let output = '';

async function startReceiver(): Promise<void> {
  const child = spawn(process.execPath, ['demo/receiver/server.mjs'], {
    cwd: ROOT,
    env: { ...process.env, RECEIVER_PORT: String(port), APP_PORT: '5999', VIEWER_PORT: '5998', SPANBEAM_DATA_DIR: dataDir, RECEIVER_ALLOWED_ORIGINS: `${OWN_ORIGIN}/` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  receiver = child;
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  await new Promise<void>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`receiver did not start: ${out}`)), 15_000);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('[receiver] http://')) {
        clearTimeout(timer);
        ok();
      }
    });
    child.once('exit', (code) => fail(new Error(`receiver exited ${code}: ${out}`)));
  });
}

async function stopReceiver(): Promise<void> {
  const child = receiver;
  receiver = undefined;
  if (!child || child.exitCode !== null) return;
  const gone = new Promise((ok) => child.once('exit', ok));
  child.kill('SIGTERM');
  await gone;
}

test.beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'spanbeam-receiver-'));
  [port] = await freePorts(1);
  base = `http://127.0.0.1:${port}`;
  await startReceiver();
});
test.afterAll(async () => {
  await stopReceiver();
  rmSync(dataDir, { recursive: true, force: true });
});

const T1 = '0af7651916cd43dd8448eb211c80319c';
const T2 = '4bf92f3577b34da6a3ce929d0e0e4736';
const kv = (key: string, value: string) => ({ key, value: { stringValue: value } });

function request(service: string, spans: Array<Partial<OtlpRequest['resourceSpans'][0]['scopeSpans'][0]['spans'][0]>>): OtlpRequest {
  return {
    resourceSpans: [
      {
        resource: { attributes: [kv('service.name', service)] },
        scopeSpans: [{ scope: { name: 'test' }, spans: spans.map((s) => ({ kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000250000000', name: 'span', traceId: T1, spanId: '', ...s })) }],
      },
    ],
  };
}

function post(body: BodyInit, headers: Record<string, string>) {
  return fetch(`${base}/v1/traces`, { method: 'POST', body, headers });
}

async function list(query = ''): Promise<TraceSummary[]> {
  return ((await (await fetch(`${base}/api/traces${query}`)).json()) as { traces: TraceSummary[] }).traces;
}

test('JSON: accepted with {"partialSuccess":{}}, one NDJSON line per request, queryable by trace', async () => {
  const first = request('web', [
    { traceId: T1, spanId: 'b7ad6b7169203331', name: 'click buy' },
    { traceId: T2, spanId: '00f067aa0ba902b7', name: 'older root', startTimeUnixNano: '1600000000000000000', endTimeUnixNano: '1600000000001000000' },
  ]);
  const res = await post(JSON.stringify(first), { 'content-type': 'application/json' });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ partialSuccess: {} });

  const second = request('api', [
    { traceId: T1, spanId: 'c7ad6b7169203332', parentSpanId: 'b7ad6b7169203331', name: 'POST /buy', startTimeUnixNano: '1700000000010000000', endTimeUnixNano: '1700000000300000000', status: { code: 2, message: 'boom' } },
  ]);
  expect((await post(JSON.stringify(second), { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);

  const lines = readFileSync(join(dataDir, 'traces.ndjson'), 'utf8').trim().split('\n');
  expect(lines).toHaveLength(2);
  expect(JSON.parse(lines[1])).toEqual(second);

  const traces = await list();
  expect(traces.map((t) => t.traceId)).toEqual([T1, T2]); // newest first
  expect(traces[0]).toMatchObject({ services: ['api', 'web'], rootName: 'click buy', rootService: 'web', spanCount: 2, errorCount: 1, startMs: 1700000000000, durationMs: 300 });
  expect((await list('?errors=1')).map((t) => t.traceId)).toEqual([T1]);
  expect((await list('?service=web')).map((t) => t.traceId)).toEqual([T1, T2]);
  expect((await list('?service=api')).map((t) => t.traceId)).toEqual([T1]);

  const one = (await (await fetch(`${base}/api/traces/${T1}`)).json()) as OtlpRequest;
  expect(flatten(one).map((s) => [s.service, s.name, s.traceId])).toEqual([
    ['web', 'click buy', T1],
    ['api', 'POST /buy', T1],
  ]);
  expect((await fetch(`${base}/api/traces/${'1'.repeat(32)}`)).status).toBe(404);
  expect(await (await fetch(`${base}/api/services`)).json()).toEqual({ services: ['api', 'web'] });
});

test('protobuf, gzip and deflate are decoded; a batch sent twice is stored once per span', async () => {
  const proto = (await import(pathToFileURL(join(ROOT, 'demo/receiver/proto.mjs')).href)) as { encodeProtobufRequest(json: unknown): Uint8Array };
  const T3 = '5bf92f3577b34da6a3ce929d0e0e4736';
  const body = proto.encodeProtobufRequest(
    request('proto-svc', [{ traceId: T3, spanId: '1111111111111111', name: 'from protobuf', attributes: [{ key: 'n', value: { intValue: '42' } }] }]),
  );
  const res = await post(Buffer.from(body), { 'content-type': 'application/x-protobuf' });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/x-protobuf');
  const gz = await post(gzipSync(Buffer.from(body)), { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' });
  expect(gz.status).toBe(200);
  const json = JSON.stringify(request('json-svc', [{ traceId: T3, spanId: '2222222222222222', parentSpanId: '1111111111111111', name: 'deflated json' }]));
  expect((await post(deflateSync(json), { 'content-type': 'application/json', 'content-encoding': 'deflate' })).status).toBe(200);

  const spans = flatten((await (await fetch(`${base}/api/traces/${T3}`)).json()) as OtlpRequest);
  expect(spans.map((s) => [s.service, s.name, s.spanId, s.parentSpanId])).toEqual([
    ['proto-svc', 'from protobuf', '1111111111111111', undefined],
    ['json-svc', 'deflated json', '2222222222222222', '1111111111111111'],
  ]);
  expect(spans[0].attributes).toEqual([{ key: 'n', value: { intValue: '42' } }]);
  expect(spans[0].startTimeUnixNano).toBe('1700000000000000000');
});

test('refuses what the Collector refuses: other media types 415, bad encodings and ids 400', async () => {
  const json = JSON.stringify(request('x', [{ traceId: T1, spanId: '3333333333333333' }]));
  expect((await post(json, { 'content-type': 'text/plain' })).status).toBe(415);
  expect((await post(brotliCompressSync(json), { 'content-type': 'application/json', 'content-encoding': 'br' })).status).toBe(400);
  expect((await post(json, { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(400);
  expect((await post('{"resourceSpans": [', { 'content-type': 'application/json' })).status).toBe(400);
  const badId = JSON.stringify(request('x', [{ traceId: 'CvdlGRbNQ92ESOshHIAxnA==', spanId: '3333333333333333' }]));
  expect((await post(badId, { 'content-type': 'application/json' })).status).toBe(400);
  expect((await fetch(`${base}/v1/traces`)).status).toBe(405);
  expect(await list('?service=x')).toEqual([]);
});

test('a body over the size limit is answered 400, not cut off by a connection reset', async () => {
  const res = await post(Buffer.alloc(20 * 1024 * 1024 + 1, 0x20), { 'content-type': 'application/json' });
  expect(res.status).toBe(400);
  expect(((await res.json()) as { message: string }).message).toContain('larger than');
  // The limit holds for the decompressed body as well (a small gzip body can inflate to gigabytes).
  const inflated = `{"resourceSpans":[]${' '.repeat(20 * 1024 * 1024)}}`;
  expect((await post(gzipSync(inflated), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).status).toBe(400);
  expect((await post(JSON.stringify({ resourceSpans: [] }), { 'content-type': 'application/json' })).status).toBe(200);
});

test('requests of the wrong shape are 400 and leave the receiver and its store working', async () => {
  const span = { traceId: 'abf92f3577b34da6a3ce929d0e0e4736', spanId: '6666666666666666', name: 'bad shape' };
  const bodies = [
    { resourceSpans: [{ resource: { attributes: {} }, scopeSpans: [{ spans: [span] }] }] },
    { resourceSpans: [{ resource: { attributes: [null] }, scopeSpans: [{ spans: [span] }] }] },
    { resourceSpans: [{ scopeSpans: [{ spans: [{ ...span, attributes: 'x' }] }] }] },
    { resourceSpans: [{ scopeSpans: [null] }] },
    { resourceSpans: [{ scopeSpans: 5 }] },
    { resourceSpans: [{ scopeSpans: [{ spans: {} }] }] },
  ];
  for (const body of bodies) {
    const res = await post(JSON.stringify(body), { 'content-type': 'application/json' });
    expect(res.status, JSON.stringify(body)).toBe(400);
  }
  expect((await fetch(`${base}/api/traces`)).status).toBe(200);
  expect((await fetch(`${base}/api/traces/${span.traceId}`)).status).toBe(404);
  expect(receiver?.exitCode).toBeNull();
});

test('CORS like the Collector: exact origin, credentials, preflight allowing content-type', async () => {
  const preflight = (origin: string, headers: string) =>
    fetch(`${base}/v1/traces`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': headers } });
  const ok = await preflight(APP_ORIGIN, 'content-type');
  expect(ok.status).toBe(204);
  expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
  expect(ok.headers.get('access-control-allow-headers')).toBe('content-type');
  expect(ok.headers.get('access-control-allow-methods')).toBe('POST');
  const other = await preflight('http://evil.example', 'content-type');
  expect(other.headers.get('access-control-allow-origin')).toBeNull();
  const badHeader = await preflight(APP_ORIGIN, 'content-type, x-secret');
  expect(badHeader.headers.get('access-control-allow-origin')).toBeNull();
  const res = await post(JSON.stringify({ resourceSpans: [] }), { 'content-type': 'application/json', origin: APP_ORIGIN });
  expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
  expect(res.headers.get('access-control-allow-credentials')).toBe('true');
});

test('a page of your own may export when RECEIVER_ALLOWED_ORIGINS lists it, but not read traces back; a refused page is told how', async () => {
  const preflight = (origin: string) =>
    fetch(`${base}/v1/traces`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
  for (const origin of [OWN_ORIGIN, 'http://127.0.0.1:3000']) {
    expect((await preflight(origin)).headers.get('access-control-allow-origin')).toBe(origin);
  }
  const read = await fetch(`${base}/api/traces`, { headers: { origin: OWN_ORIGIN } });
  expect(read.headers.get('access-control-allow-origin')).toBeNull();
  // The browser's CORS error cannot say what to do: the receiver's log does, once per origin.
  await preflight('http://127.0.0.1:5190');
  await preflight('http://127.0.0.1:5190');
  await expect.poll(() => output).toContain('http://127.0.0.1:5190');
  expect(output.match(/RECEIVER_ALLOWED_ORIGINS=http:\/\/127\.0\.0\.1:5190/g)).toHaveLength(1);
  expect(output).not.toContain(`RECEIVER_ALLOWED_ORIGINS=${APP_ORIGIN}`);
});

test('the event stream announces new and updated traces', async () => {
  const controller = new AbortController();
  const res = await fetch(`${base}/api/stream`, { signal: controller.signal });
  expect(res.headers.get('content-type')).toBe('text/event-stream');
  const reader = res.body!.getReader();
  const T4 = '6bf92f3577b34da6a3ce929d0e0e4736';
  await post(JSON.stringify(request('live', [{ traceId: T4, spanId: '4444444444444444', name: 'live one' }])), { 'content-type': 'application/json' });
  let text = '';
  while (!text.includes('"live one"')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  controller.abort();
  const frame = /event: trace\ndata: (.*)\n\n/.exec(text.slice(text.indexOf('event: trace')));
  expect(frame).not.toBeNull();
  expect(JSON.parse(frame![1])).toMatchObject({ traceId: T4, rootName: 'live one', services: ['live'], spanCount: 1 });
});

test('spans survive a restart; a line cut short by a crash is skipped', async () => {
  const before = await list();
  await stopReceiver();
  appendFileSync(join(dataDir, 'traces.ndjson'), '{"resourceSpans":[{"resource":');
  await startReceiver();
  expect(await list()).toEqual(before);
  expect(before.length).toBe(4);
  // What arrives after the broken line is kept too.
  const T5 = '7bf92f3577b34da6a3ce929d0e0e4736';
  await post(JSON.stringify(request('after', [{ traceId: T5, spanId: '5555555555555555', name: 'after crash' }])), { 'content-type': 'application/json' });
  await stopReceiver();
  await startReceiver();
  expect((await list()).map((t) => t.traceId)).toContain(T5);
});
