// A strict OTLP/JSON checker built on the official opentelemetry-proto schema (protobufjs
// reflection). protobufjs' own fromObject ignores unknown keys, and so does the Collector, so this
// walks the JSON against the schema itself, applying OTLP/JSON's exceptions to proto3 JSON:
// trace/span ids as lowercase hex (not base64), enums as integers only, 64-bit integers as strings.
import protobuf from 'protobufjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const PROTOS = join(dirname(require.resolve('@opentelemetry/otlp-grpc-exporter-base/package.json')), 'build/protos');

let root: protobuf.Root | undefined;

/** The schema, brought up to opentelemetry-proto 1.x where the shipped copy predates it. */
export function otlpRoot(): protobuf.Root {
  if (root) return root;
  const r = new protobuf.Root();
  r.resolvePath = (_origin, target) => join(PROTOS, target);
  r.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
  const span = r.lookupType('opentelemetry.proto.trace.v1.Span');
  span.add(new protobuf.Field('flags', 16, 'fixed32'));
  span.lookupType('Link').add(new protobuf.Field('flags', 6, 'fixed32'));
  const scope = r.lookupType('opentelemetry.proto.common.v1.InstrumentationScope');
  scope.add(new protobuf.Field('attributes', 3, 'opentelemetry.proto.common.v1.KeyValue', 'repeated'));
  scope.add(new protobuf.Field('droppedAttributesCount', 4, 'uint32'));
  r.resolveAll();
  return (root = r);
}

const INT64 = new Set(['int64', 'uint64', 'fixed64', 'sint64', 'sfixed64']);
const INT32: Record<string, [number, number]> = {
  int32: [-(2 ** 31), 2 ** 31 - 1],
  sint32: [-(2 ** 31), 2 ** 31 - 1],
  sfixed32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  fixed32: [0, 2 ** 32 - 1],
};
const HEX_IDS: Record<string, number> = { traceId: 32, spanId: 16, parentSpanId: 16 };

function checkScalar(f: protobuf.Field, v: unknown, path: string, errors: string[]): void {
  const bad = (why: string): void => void errors.push(`${path}: ${why} (got ${JSON.stringify(v)})`);
  if (f.resolvedType instanceof protobuf.Type) return checkMessage(f.resolvedType, v, path, errors);
  if (f.resolvedType instanceof protobuf.Enum) {
    if (typeof v !== 'number' || !Number.isInteger(v)) return bad('enum must be an integer in OTLP/JSON');
    if (!Object.values(f.resolvedType.values).includes(v)) bad('unknown enum value');
    return;
  }
  const t = f.type;
  if (t === 'string') {
    if (typeof v !== 'string') bad('expected string');
  } else if (t === 'bool') {
    if (typeof v !== 'boolean') bad('expected boolean');
  } else if (t === 'bytes') {
    if (typeof v !== 'string') return bad('expected string');
    const len = HEX_IDS[f.name];
    if (len !== undefined) {
      if (v !== '' && !new RegExp(`^[0-9a-f]{${len}}$`).test(v)) bad(`expected ${len} lowercase hex characters`);
    } else if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v)) bad('expected base64');
  } else if (INT64.has(t)) {
    if (typeof v !== 'string' || !/^-?\d+$/.test(v)) return bad('64-bit integer must be a decimal string');
    const n = BigInt(v);
    const unsigned = t.startsWith('u') || t === 'fixed64';
    const [lo, hi] = unsigned ? [0n, 2n ** 64n - 1n] : [-(2n ** 63n), 2n ** 63n - 1n];
    if (n < lo || n > hi) bad('out of range');
  } else if (t in INT32) {
    const [lo, hi] = INT32[t];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) bad(`expected ${t}`);
  } else if (t === 'double' || t === 'float') {
    if (typeof v !== 'number' && !['NaN', 'Infinity', '-Infinity'].includes(v as string)) bad('expected number');
  } else bad(`unhandled type ${t}`);
}

function checkMessage(type: protobuf.Type, json: unknown, path: string, errors: string[]): void {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    errors.push(`${path}: expected ${type.name} object`);
    return;
  }
  const oneofsSeen = new Map<string, string>();
  for (const [key, v] of Object.entries(json)) {
    const f = type.fields[key];
    const p = `${path}.${key}`;
    if (!f) {
      errors.push(`${p}: unknown field of ${type.name}`);
      continue;
    }
    if (f.partOf) {
      const prev = oneofsSeen.get(f.partOf.name);
      if (prev) errors.push(`${p}: oneof ${f.partOf.name} already set by ${prev}`);
      oneofsSeen.set(f.partOf.name, key);
    }
    if (f.repeated) {
      if (!Array.isArray(v)) errors.push(`${p}: expected array`);
      else v.forEach((x, i) => checkScalar(f, x, `${p}[${i}]`, errors));
    } else checkScalar(f, v, p, errors);
  }
}

/** Rewrites OTLP/JSON into what protobufjs' fromObject takes (hex ids → bytes). */
export function toProtoObject(v: unknown, key = ''): unknown {
  if (Array.isArray(v)) return v.map((x) => toProtoObject(x, key));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toProtoObject(x, k)]));
  if (typeof v === 'string' && key in HEX_IDS) return Buffer.from(v, 'hex');
  return v;
}

/** Problems with an `ExportTraceServiceRequest` JSON body; empty when it is valid. */
export function checkOtlpJson(json: unknown): string[] {
  const type = otlpRoot().lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  const errors: string[] = [];
  checkMessage(type, json, '$', errors);
  if (errors.length) return errors;
  // The accepted JSON must also survive a binary round trip through the schema.
  const msg = type.fromObject(toProtoObject(json) as Record<string, unknown>);
  const verify = type.verify(msg);
  if (verify) errors.push(`verify: ${verify}`);
  const back = type.decode(type.encode(msg).finish());
  const countSpans = (m: unknown) =>
    ((m as { resourceSpans?: Array<{ scopeSpans?: Array<{ spans?: unknown[] }> }> }).resourceSpans ?? []).reduce(
      (n, r) => n + (r.scopeSpans ?? []).reduce((k, s) => k + (s.spans?.length ?? 0), 0),
      0,
    );
  if (countSpans(back) !== countSpans(json)) errors.push('binary round trip lost spans');
  return errors;
}
