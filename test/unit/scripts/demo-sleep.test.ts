// demo/lib/http.mjs sleep(): the demo's simulated work (the slow payment step, database queries)
// lasts at least what it asks for, measured as span times are (demo.spec.ts checks the payment
// span against DEMO_SLOW_MS).
import { expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module of the demo, without types
import { sleep } from '../../../demo/lib/http.mjs';

it('waits at least the time asked for by performance.now(), also when called part-way through a task', async () => {
  const short: number[] = [];
  for (let i = 0; i < 500; i++) {
    await new Promise((ok) => setTimeout(ok, 1));
    // Some work first, as a request handler does: a plain setTimeout(2) ends early a few times in 500.
    const busyUntil = performance.now() + 0.5;
    while (performance.now() < busyUntil);
    const t0 = performance.now();
    await sleep(2);
    const took = performance.now() - t0;
    if (took < 2) short.push(took);
  }
  expect(short).toEqual([]);
});
