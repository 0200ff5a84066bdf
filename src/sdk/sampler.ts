import type { Attributes, SpanContext, SpanKind } from './types';

/** A head sampler decides when a span starts whether it is recorded and exported. */
export interface Sampler {
  shouldSample(parent: SpanContext | undefined, traceId: string, name: string, kind: SpanKind, attributes: Partial<Attributes> | undefined): boolean;
  toString(): string;
}

export const alwaysOn: Sampler = {
  shouldSample: () => true,
  toString: () => 'AlwaysOn',
};

export const alwaysOff: Sampler = {
  shouldSample: () => false,
  toString: () => 'AlwaysOff',
};

const TWO_POW_56 = 2 ** 56;

/**
 * Samples a fraction of traces, deciding from the trace id alone so every service that uses
 * the same ratio makes the same decision for a trace. It reads the id's rightmost 56 bits, which
 * W3C Trace Context Level 2 declares random (or the parent's explicit `ot=rv:` randomness), and
 * keeps the trace when they are at or above the rejection threshold (1 − ratio) · 2^56, as
 * OpenTelemetry's consistent probability sampling does.
 */
export function traceIdRatioSampler(ratio: number): Sampler {
  const r = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 0;
  // The threshold as 15 hex digits (2^56, ratio 0, has 15): ids are lowercase, so comparing the
  // strings compares the numbers, exactly.
  const th = Math.round((1 - r) * TWO_POW_56).toString(16).padStart(15, '0');
  return {
    shouldSample(parent, traceId) {
      // OpenTelemetry presumes the id random unless tracestate's `ot` member (first, or after a
      // comma and optional whitespace) has an explicit randomness value (`rv`, 14 hex digits): that
      // one decides then.
      return '0' + (/(?:^|[\s,])ot=(?:[^,]*;)?rv:([\da-f]{14})(?!\w)/.exec(parent?.traceState as string)?.[1] ?? traceId.slice(18)) >= th;
    },
    toString: () => `TraceIdRatioBased{${r}}`,
  };
}

export interface ParentBasedOptions {
  /** For spans without a parent. */
  root: Sampler;
  remoteParentSampled?: Sampler;
  remoteParentNotSampled?: Sampler;
  localParentSampled?: Sampler;
  localParentNotSampled?: Sampler;
}

/** Follows the parent's sampled flag; roots go to `root` (the default sampler is parentBased(alwaysOn)). */
export function parentBasedSampler(options: ParentBasedOptions | Sampler): Sampler {
  'eager'; // compiled as the script tag loads: start() calls it (scripts/eager.mjs)
  const o: ParentBasedOptions = 'shouldSample' in options ? { root: options } : options;
  const remoteSampled = o.remoteParentSampled ?? alwaysOn;
  const remoteNot = o.remoteParentNotSampled ?? alwaysOff;
  const localSampled = o.localParentSampled ?? alwaysOn;
  const localNot = o.localParentNotSampled ?? alwaysOff;
  const rootAlways = o.root === alwaysOn;
  return {
    shouldSample(parent, traceId, name, kind, attributes) {
      if (!parent) return rootAlways || o.root.shouldSample(parent, traceId, name, kind, attributes);
      const sampled = (parent.traceFlags & 1) === 1;
      const s = parent.isRemote ? (sampled ? remoteSampled : remoteNot) : sampled ? localSampled : localNot;
      // The default delegates answer from the flag alone: skip their call on every child span.
      if (s === (sampled ? alwaysOn : alwaysOff)) return sampled;
      return s.shouldSample(parent, traceId, name, kind, attributes);
    },
    toString: () => `ParentBased{root=${o.root.toString()}}`,
  };
}
