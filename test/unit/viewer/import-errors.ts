import { expect } from 'vitest';
import { TraceImportError } from '../../../src/viewer/model/trace-model';

/** The TraceImportError `f` throws (fails the test when it throws something else, or nothing). */
export const errorOf = (f: () => unknown): TraceImportError => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(TraceImportError);
    return e as TraceImportError;
  }
  throw new Error('expected a TraceImportError');
};
