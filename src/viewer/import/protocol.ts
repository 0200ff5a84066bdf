/** Messages between the import client (main thread) and the import Worker. */
import type { ImportErrorInfo, ImportProgress, TraceModel } from '../model/trace-model';
import type { PipelineSource } from './pipeline';
import type { WorkerMarks } from './timing';

export type ToWorker =
  | { type: 'import'; source: PipelineSource | { kind: 'forward' }; /** post a preview model */ partial?: boolean; /** send the Worker's phase marks back */ timing?: boolean }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'cancel' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'partial'; model: TraceModel }
  | { type: 'done'; model: TraceModel; marks?: WorkerMarks }
  | { type: 'error'; name: string; message: string; info?: ImportErrorInfo };
