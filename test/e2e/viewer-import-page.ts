// Test page entry for the viewer import e2e specs: exposes the import client on window.
import * as client from '../../src/viewer/import/client';
import type { TraceModel } from '../../src/viewer/model/trace-model';

function summarize(m: TraceModel) {
  return {
    format: m.format,
    slices: m.slices.count,
    instants: m.instants.count,
    counters: m.counters.length,
    flows: m.flows.count,
    tracks: m.tracks.length,
    groups: m.groups.map((g) => g.name),
    eventCounts: m.eventCounts,
    diagnostics: m.diagnostics.map((d) => ({ kind: d.kind, count: d.count })),
    endNs: m.endNs,
    // the columns arrived as real typed arrays (transferred, not copied into plain arrays)
    typed: m.slices.startNs instanceof Float64Array && m.args.bytes instanceof Uint8Array,
  };
}

const w = window as unknown as Record<string, unknown>;
w.spanbeamImport = {
  importTrace: client.importTrace,
  fallbackReason: () => client.lastFallbackReason,
  summarize,
};
w.ready = true;
