import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import * as propagation from '../../../src/propagation/index';
import type { PropagationContext, RemoteContext } from '../../../src/propagation/index';
import type { SpanContext } from '../../../src/sdk/types';

const dir = join(import.meta.dirname, '../../../src/propagation');

describe('propagation module shape', () => {
  it('declares a context type structurally identical to SpanContext', () => {
    expectTypeOf<PropagationContext>().toEqualTypeOf<SpanContext>();
    expectTypeOf<RemoteContext>().toMatchTypeOf<SpanContext>();
    const ctx: SpanContext = { traceId: 'a', spanId: 'b', traceFlags: 0 };
    const back: PropagationContext = ctx;
    expect(back).toBe(ctx);
  });

  it('imports nothing outside its own folder and no DOM globals at import time', () => {
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const src = readFileSync(join(dir, file), 'utf8');
      for (const m of src.matchAll(/from\s+'([^']+)'/g)) {
        expect(m[1], `${file} imports ${m[1]}`).toMatch(/^\.\/[a-z0-9-]+$/);
      }
      const code = src.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
      expect(code, file).not.toMatch(/\b(document|window|location|navigator)\./);
    }
  });

  it('exposes the required public API', () => {
    for (const name of [
      'extractContext',
      'injectContext',
      'extractBaggage',
      'injectBaggage',
      'createPropagationPolicy',
      'parseServerTimingTraceparent',
      'parseTraceparent',
      'setHeader',
      'getHeader',
    ]) {
      expect(typeof (propagation as Record<string, unknown>)[name], name).toBe('function');
    }
    for (const p of [propagation.w3cTraceContext, propagation.b3Single, propagation.b3Multi, propagation.jaeger]) {
      expect(typeof p.inject).toBe('function');
      expect(typeof p.extract).toBe('function');
      expect(p.fields.length).toBeGreaterThan(0);
    }
  });

  it('composes propagators', () => {
    const ctx = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', traceFlags: 1 };
    const carrier: Record<string, string> = {};
    propagation.injectWith([propagation.w3cTraceContext, propagation.b3Single], ctx, carrier);
    expect(Object.keys(carrier).sort()).toEqual(['b3', 'traceparent']);
    expect(propagation.extractWith([propagation.jaeger, propagation.b3Single], carrier)).toEqual({ ...ctx, isRemote: true });
    expect(propagation.extractWith([propagation.jaeger], carrier)).toBeUndefined();
  });

  it('extracts with the first propagator that finds a context, in order', () => {
    const carrier = {
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      b3: '80f198ee56343ba864fe8b2a57d3eff7-e457b5a2e4d86bd1-1',
    };
    expect(propagation.extractWith([propagation.w3cTraceContext, propagation.b3Single], carrier)?.spanId).toBe('00f067aa0ba902b7');
    expect(propagation.extractWith([propagation.b3Single, propagation.w3cTraceContext], carrier)?.spanId).toBe('e457b5a2e4d86bd1');
  });
});
