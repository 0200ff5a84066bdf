/** Messages between the import client (main thread) and the import Worker. */
import type { ImportErrorInfo, ImportProgress, TraceModel } from '../model/trace-model';
import type { PipelineSource } from './pipeline';
import type { WorkerMarks } from './timing';

export type ToWorker =
  | {
      type: 'import';
      source: PipelineSource | { kind: 'forward' };
      /** post a preview model */ partial?: boolean;
      /** send the Worker's phase marks back */ timing?: boolean;
      /** span times as recorded (no clock-skew adjustment) */ noSkew?: boolean;
    }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'cancel' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'partial'; model: TraceModel }
  | { type: 'done'; model: TraceModel; marks?: WorkerMarks }
  | { type: 'error'; name: string; message: string; info?: ImportErrorInfo };

/** A URL import handed to the Worker in its name (`new Worker(url, { name })`), read before any message. */
export interface BootRequest {
  url: string;
  partial: boolean;
  timing: boolean;
  /** Span times as recorded (no clock-skew adjustment); present only when true. */
  noSkew?: true;
}

export const WORKER_NAME = 'spanbeam-import';

export function bootName(r: BootRequest): string {
  return `${WORKER_NAME} ${JSON.stringify(r)}`;
}

/** The boot request in a worker name, or null (a plain name, or anything unexpected). */
export function parseBootName(name: string): BootRequest | null {
  if (!name.startsWith(`${WORKER_NAME} {`)) return null;
  try {
    const r = JSON.parse(name.slice(WORKER_NAME.length + 1)) as Partial<BootRequest>;
    return typeof r.url === 'string' ? { url: r.url, partial: r.partial === true, timing: r.timing === true, ...(r.noSkew === true ? { noSkew: true } : {}) } : null;
  } catch {
    return null;
  }
}
