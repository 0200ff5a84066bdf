/** Messages between the import client (main thread) and the import Worker. */
import type { ImportErrorInfo, ImportProgress, TraceModel } from '../model/trace-model';
import type { PipelineSource } from './pipeline';

export type ToWorker =
  | { type: 'import'; source: PipelineSource | { kind: 'forward' } }
  | { type: 'chunk'; bytes: Uint8Array }
  | { type: 'end' }
  | { type: 'cancel' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; progress: ImportProgress }
  | { type: 'done'; model: TraceModel }
  | { type: 'error'; name: string; message: string; info?: ImportErrorInfo };
