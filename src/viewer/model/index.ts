export * from './trace-model';
export * from './query';
export { TraceBuilder } from './builder';
export type { BuilderOptions } from './builder';
