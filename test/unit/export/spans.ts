// Hand-made ReadableSpans for encoder and exporter tests (full control over times and flags).
import type { ReadableSpan, Resource, SpanContext } from '../../../src/sdk/types';

export const RESOURCE: Resource = { attributes: { 'service.name': 'shop', 'telemetry.sdk.name': 'spanbeam' } };
let seq = 0;

export function fakeSpan(p: Partial<ReadableSpan> & { ctx?: Partial<SpanContext> } = {}): ReadableSpan {
  seq++;
  const ctx: SpanContext = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: (0x1000000000000000n + BigInt(seq)).toString(16),
    traceFlags: 1,
    ...p.ctx,
  };
  const { ctx: _c, ...rest } = p;
  return {
    name: `span-${seq}`,
    kind: 0,
    startMs: 1_700_000_000_000.25,
    endMs: 1_700_000_000_010.5,
    attributes: {},
    droppedAttributesCount: 0,
    events: [],
    droppedEventsCount: 0,
    links: [],
    droppedLinksCount: 0,
    status: { code: 0 },
    resource: RESOURCE,
    scope: { name: 'test' },
    ...rest,
    spanContext: () => ctx,
  };
}
