import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractBaggage, extractContext, injectContext, setTraceStateValue, TRACE_FLAG_RANDOM, TRACE_FLAG_SAMPLED } from '../../../src/propagation/index';
import type { PropagationContext } from '../../../src/propagation/index';

/** A backend that continues the caller's trace, as a user's Node service would. */
function handle(req: IncomingMessage, res: ServerResponse): void {
  const parent = extractContext(req.headers);
  const nonZeroHex = (bytes: number) => {
    for (;;) {
      const hex = randomBytes(bytes).toString('hex');
      if (/[^0]/.test(hex)) return hex;
    }
  };
  const serverSpan: PropagationContext = parent
    ? { traceId: parent.traceId, spanId: nonZeroHex(8), traceFlags: parent.traceFlags, traceState: setTraceStateValue(parent.traceState, 'node', 'srv') }
    : { traceId: nonZeroHex(16), spanId: nonZeroHex(8), traceFlags: TRACE_FLAG_SAMPLED | TRACE_FLAG_RANDOM };
  const headers: Record<string, string> = {};
  injectContext(serverSpan, headers);
  res.writeHead(200, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify({ parent: parent ?? null, span: serverSpan, baggage: extractBaggage(req.headers) }));
}

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const TID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SID = '00f067aa0ba902b7';

describe('a node:http server continues the trace', () => {
  it('keeps the trace id, makes a new span id, keeps flags and tracestate', async () => {
    const res = await fetch(`${base}/api`, {
      headers: { traceparent: `00-${TID}-${SID}-03`, tracestate: 'congo=t61rcWkgMzE', baggage: 'userId=Am%C3%A9lie;p' },
    });
    const body = (await res.json()) as { parent: PropagationContext; span: PropagationContext; baggage: unknown };
    expect(body.parent).toEqual({ traceId: TID, spanId: SID, traceFlags: 3, traceState: 'congo=t61rcWkgMzE', isRemote: true });
    expect(body.baggage).toEqual([{ key: 'userId', value: 'Amélie', metadata: 'p' }]);

    const reply = extractContext(res.headers);
    expect(reply).toBeDefined();
    expect(reply!.traceId).toBe(TID);
    expect(reply!.spanId).not.toBe(SID);
    expect(reply!.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(reply!.traceFlags).toBe(3);
    expect(reply!.traceState).toBe('node=srv,congo=t61rcWkgMzE');
    expect(res.headers.get('traceparent')).toBe(`00-${TID}-${reply!.spanId}-03`);
  });

  it('restarts the trace for an invalid traceparent and ignores its tracestate', async () => {
    const res = await fetch(`${base}/api`, {
      headers: { traceparent: `00-${'0'.repeat(32)}-${SID}-01`, tracestate: 'congo=x' },
    });
    const body = (await res.json()) as { parent: null };
    expect(body.parent).toBeNull();
    const reply = extractContext(res.headers)!;
    expect(reply.traceId).not.toBe('0'.repeat(32));
    expect(reply.traceState).toBeUndefined();
  });

  it('combines tracestate sent as several header lines', async () => {
    const headers: OutgoingHttpHeaders = { traceparent: `00-${TID}-${SID}-01`, tracestate: ['a=1', 'b=2'] };
    const replyTraceState = await new Promise<string | undefined>((resolve, reject) => {
      const req = request(`${base}/multi`, { headers }, (res) => {
        res.resume();
        res.on('end', () => resolve(extractContext(res.headers)?.traceState));
      });
      req.on('error', reject);
      req.end();
    });
    expect(replyTraceState).toBe('node=srv,a=1,b=2');
  });

  it('restarts for two traceparent header lines, of version 00 or a later one', async () => {
    for (const v of ['00', 'cc']) {
      const tail = v === '00' ? '' : '-future';
      const headers: OutgoingHttpHeaders = { traceparent: [`${v}-${TID}-${SID}-01${tail}`, `${v}-${TID.replace(/4/g, '5')}-${SID}-01${tail}`] };
      const parent = await new Promise<unknown>((resolve, reject) => {
        const req = request(`${base}/dup`, { headers }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c));
          res.on('end', () => resolve((JSON.parse(body) as { parent: unknown }).parent));
        });
        req.on('error', reject);
        req.end();
      });
      expect(parent, v).toBeNull();
    }
  });
});
