// Spanbeam with only the fetch instrumentation and a processor that discards.
import { start } from '../../src/start';
import { onSpanEnd } from '../../src/sdk/processor';

export function install(): void {
  start({
    processors: [onSpanEnd(() => {})],
    instrumentations: { xhr: false, documentLoad: false, webVitals: false, interactions: false, navigation: false, errors: false, longTasks: false },
  });
}
