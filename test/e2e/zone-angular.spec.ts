// The SDK inside an Angular-like zone (NgZone is a fork with onInvokeTask/onHasTask hooks): its
// own bookkeeping must schedule no Zone task there, or every span end would cost a change
// detection and keep the zone unstable (Angular's whenStable, SSR hydration).
import { test, expect } from '@playwright/test';
import type { TestServer } from '../support/server';
import { appServer, openApp } from './instrument-support';

declare const Zone: { current: { fork(spec: object): { run<T>(fn: () => T): T } } };
declare const Spanbeam: typeof import('../../src/script');

let server: TestServer;
test.beforeEach(async () => {
  server = await appServer();
});
test.afterEach(async () => server.close());

test('ending a span inside an app zone schedules no Zone task there (exporter and live timers are native)', async ({ page }) => {
  await openApp(page, server);
  const out = await page.evaluate(async () => {
    const h = (window as unknown as { handle: { flush(): Promise<unknown> } }).handle;
    await h.flush();
    const tasks: string[] = [];
    let invokeTask = 0;
    const ng = Zone.current.fork({
      name: 'angular',
      onScheduleTask: (d: any, _c: unknown, t: unknown, task: any) => (tasks.push(`${task.type}:${task.source}`), d.scheduleTask(t, task)),
      onInvokeTask: (d: any, _c: unknown, t: unknown, task: unknown, th: unknown, a: unknown) => (invokeTask++, d.invokeTask(t, task, th, a)),
    });
    const off = Spanbeam.liveSpans().subscribe(() => {}); // the viewer's live feed delivers per task too
    ng.run(() => Spanbeam.getTracer('app').startSpan('work').end());
    await new Promise((r) => setTimeout(r, 100)); // past the exporter's 20 ms batch delay
    off();
    return { tasks, invokeTask };
  });
  expect(out).toEqual({ tasks: [], invokeTask: 0 });
});
