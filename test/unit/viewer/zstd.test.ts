// zstd input: a `.zst` stream (real zstd output from test/fixtures/zstd/make.sh) and the Collector
// file exporter's `compression: zstd` layout, for each format the pipeline reads.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importSpanJson } from '../../../src/viewer/import/otlp-json';
import { runPipeline, type PipelineSource } from '../../../src/viewer/import/pipeline';
import { nameOf } from '../../../src/viewer/model/query';
import type { TraceModel } from '../../../src/viewer/model/trace-model';
import { otlpRoot, toProtoObject } from '../export/otlp-proto';
import { collectorZstd, zstdRle, zstdStored } from './zstd-stored';

const fixture = (f: string): Uint8Array => new Uint8Array(readFileSync(new URL(`../../fixtures/zstd/${f}`, import.meta.url)));
/** The bytes as a stream of `size`-byte chunks (a download: frames and headers split anywhere). */
const chunked = (b: Uint8Array, size: number): PipelineSource => ({
  kind: 'stream',
  stream: new ReadableStream({
    start(c) {
      for (let p = 0; p < b.length; p += size) c.enqueue(b.slice(p, p + size));
      c.close();
    },
  }),
});
const names = (m: TraceModel): string[] => Array.from({ length: m.slices.count }, (_, i) => nameOf(m, i));
const errorOfAsync = async (p: Promise<unknown>): Promise<Error> => p.then(() => new Error('no error'), (e: Error) => e);

describe('zstd', () => {
  it('reads a zstd-compressed Chrome trace as it streams in, in any chunking', async () => {
    const z = fixture('chrome-trace.json.zst');
    for (const size of [7, 1000, 1 << 20]) {
      const model = await runPipeline(chunked(z, size));
      expect(model.format, `chunks of ${size}`).toBe('chrome-json');
      expect(model.slices.count).toBe(5000);
      expect(names(model).slice(0, 2)).toEqual(['e0', 'e1']);
      expect(names(model)[4999]).toBe('e4999');
      expect(model.diagnostics).toEqual([]);
    }
  });

  it('reads a stream that starts with a skippable frame (pzstd writes one before each frame)', async () => {
    const z = fixture('chrome-trace.json.zst');
    // pzstd's: magic 0x184D2A50, 4 bytes of content size (LE), content: the next frame's size (LE).
    const skip = new Uint8Array([0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, z.length & 255, (z.length >> 8) & 255, (z.length >> 16) & 255, z.length >>> 24]);
    const both = new Uint8Array(skip.length + z.length);
    both.set(skip);
    both.set(z, skip.length);
    for (const size of [5, 1 << 20]) {
      const model = await runPipeline(chunked(both, size));
      expect(model.format, `chunks of ${size}`).toBe('chrome-json');
      expect(model.slices.count).toBe(5000);
    }
  });

  it('reads the Collector file exporter with format json and compression zstd: message by message', async () => {
    const model = await runPipeline(chunked(fixture('collector-json.zst'), 5));
    expect(model.format).toBe('otlp-json');
    expect(names(model).sort()).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
    expect(model.groups.map((g) => g.name).sort()).toEqual(['svc0', 'svc1', 'svc2']);
    expect(model.diagnostics).toEqual([]);
  });

  it('reads the Collector file exporter with compression zstd, format json or proto, as its uncompressed layouts', async () => {
    // The same messages framed without compression: the layout `format: proto` alone writes.
    const reqs = [0, 1].map((i) => ({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: `s${i}` } }] }, scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: `b7ad6b716920333${i}`, name: `p${i}`, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' }] }] }] }));
    const json = collectorZstd(...reqs.map((r) => new TextEncoder().encode(JSON.stringify(r))));
    const fromJson = importSpanJson(reqs.map((r) => JSON.stringify(r)).join('\n'));
    const viaZstd = await runPipeline(chunked(json, 3));
    expect(names(viaZstd)).toEqual(names(fromJson));
    expect(viaZstd.groups.map((g) => g.name)).toEqual(['s0', 's1']);
    // Protobuf messages come out length-framed again, for the OTLP protobuf importer.
    const t = otlpRoot().lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
    const proto = collectorZstd(...reqs.map((r) => t.encode(t.fromObject(toProtoObject(r) as Record<string, unknown>)).finish()));
    const viaProto = await runPipeline(chunked(proto, 3));
    expect(viaProto.format).toBe('otlp-proto');
    expect(names(viaProto)).toEqual(names(fromJson));
    expect(viaProto.groups.map((g) => g.name)).toEqual(['s0', 's1']);
    expect(viaProto.diagnostics).toEqual([]);
  });

  it('keeps what was read before a cut or damaged stream, and says so', async () => {
    const z = fixture('chrome-trace.json.zst');
    const model = await runPipeline({ kind: 'bytes', bytes: z.subarray(0, z.length - 2000) });
    expect(model.slices.count).toBeGreaterThan(100);
    expect(model.slices.count).toBeLessThan(5000);
    expect(model.diagnostics[0].kind).toBe('truncated-input');
    expect(model.diagnostics[0].message).toMatch(/^zstd: unexpected end of data: the file is cut short after \d+ decompressed bytes/);
    // A Collector file cut inside its last message keeps the messages before it.
    const c = fixture('collector-json.zst');
    const cut = await runPipeline({ kind: 'bytes', bytes: c.subarray(0, c.length - 10) });
    expect(names(cut).sort()).toEqual(['a0', 'a1', 'b0', 'b1']);
    expect(cut.diagnostics.map((d) => d.message).join()).toMatch(/zstd: unexpected end of data: the last message is cut short/);
  });

  it('refuses a Collector message that decompresses past 64 MB (a zip bomb), keeping the messages before it', async () => {
    const ok = collectorZstd(new TextEncoder().encode(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'kept', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' }] }] }] })));
    const bomb = zstdRle(0x20, 600); // 75 MB of spaces from 2.4 KB
    const file = new Uint8Array(ok.length + 4 + bomb.length);
    file.set(ok);
    new DataView(file.buffer).setUint32(ok.length, bomb.length);
    file.set(bomb, ok.length + 4);
    const model = await runPipeline({ kind: 'bytes', bytes: file });
    expect(names(model)).toEqual(['kept']);
    expect(model.diagnostics.map((d) => d.message).join()).toMatch(/zstd: decompresses to over 64 MB/);
  });

  it('gives a precise error when nothing can be decompressed', async () => {
    const bad = Uint8Array.from([0x28, 0xb5, 0x2f, 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    expect((await errorOfAsync(runPipeline({ kind: 'bytes', bytes: bad }))).message).toMatch(/^unknown: zstd: .+; expected a valid zstd stream$/);
    // A Collector-style length, then no zstd frame where the second message should start.
    const c = collectorZstd(new TextEncoder().encode('{"resourceSpans":[]}'));
    const two = new Uint8Array(c.length * 2);
    two.set(c);
    two.set(c, c.length);
    two[c.length + 4] = 0;
    const e = await runPipeline({ kind: 'bytes', bytes: two });
    expect(e.diagnostics.map((d) => d.message).join()).toMatch(`zstd: no zstd frame at byte ${c.length + 4}`);
    expect(zstdStored(new Uint8Array(0)).length).toBe(9);
  });
});
