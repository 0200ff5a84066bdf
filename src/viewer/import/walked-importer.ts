/**
 * What the streamed JSON profile importers (V8 .cpuprofile, speedscope, Firefox Profiler) share: the input walked
 * into handler callbacks, a TraceBuilder, and a layout step run when the input ends.
 */
import { TraceBuilder, runSteps } from '../model/builder';
import type { SourceFormat, TraceModel } from '../model/trace-model';
import type { JsonReader } from './json-tokenizer';
import { JsonWalk, type WalkHandler } from './json-walk';

/** A JSON object (not null, not an array). */
export const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A value as a message quotes it: its JSON, cut to 60 characters. */
export const shown = (v: unknown): string => (JSON.stringify(v) ?? String(v)).slice(0, 60);

export abstract class WalkedImporter implements WalkHandler {
  protected readonly walk: JsonWalk;
  protected readonly b: TraceBuilder;

  /** `root` is the role of top-level values in route(). */
  constructor(format: SourceFormat, root: number) {
    this.walk = new JsonWalk(this, root, format);
    this.b = new TraceBuilder(format);
  }

  push(chunk: Uint8Array, batch = 0): void {
    this.walk.push(chunk, batch);
  }

  get bytes(): number {
    return this.walk.consumed;
  }

  finish(): TraceModel {
    return runSteps(this.finishSteps());
  }

  *finishSteps(): Generator<void, TraceModel, void> {
    this.walk.end();
    yield* this.layout();
    return yield* this.b.finishSteps();
  }

  /** `role` for the value of `key` when it is an object (`obj`) or an array; else a precise error. */
  protected need(r: JsonReader, key: string, role: number, obj: boolean): number {
    if (r.buf[r.pos] !== (obj ? 0x7b : 0x5b)) r.fail(obj ? 'an object' : 'an array', `"${key}" is not ${obj ? 'an object' : 'an array'}`);
    return role;
  }

  /** Turns what was read into tracks and slices, yielding between bounded pieces of work. */
  protected abstract layout(): Generator<void, void, void>;
  abstract route(parent: number, key: string, r: JsonReader): number;
  abstract value(parent: number, key: string, v: unknown): void;
  abstract open(role: number, parent: number): void;
  abstract close(role: number, count: number): void;
}
