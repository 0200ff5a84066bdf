// Which async patterns keep the active span under the Zone context manager, one test per
// pattern; the native async/await cases document what zone.js cannot see and the explicit fix.
import { expect, test } from '@playwright/test';
import { startServer, type TestServer } from '../support/server';

declare const Spanbeam: typeof import('../../src/script');

let server: TestServer;
test.beforeAll(async () => {
  server = await startServer();
  server.route('/api/ok', (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
});
test.afterAll(async () => server.close());

test.beforeEach(async ({ page }) => {
  await page.goto(`${server.origin}/test/pages/context-zone.html`);
  expect(await page.evaluate(() => Spanbeam.ZoneContextManager.isSupported())).toBe(true);
});

/** Runs `schedule(done)` inside an active span; resolves with whether `done` saw that span active. */
async function keeps(page: import('@playwright/test').Page, schedule: string): Promise<boolean> {
  return page.evaluate((src) => {
    return new Promise<boolean>((resolve) => {
      const tracer = Spanbeam.getTracer('ctx');
      const span = tracer.startSpan('outer');
      const done = () => resolve(Spanbeam.getActiveSpan() === span);
      tracer.withSpan(span, () => {
        // eslint-disable-next-line no-new-func
        new Function('done', src)(done);
      });
      // Something else runs between scheduling and the callback, with no span active.
      setTimeout(() => void 0, 0);
    });
  }, schedule);
}

test('setTimeout keeps context', async ({ page }) => {
  expect(await keeps(page, 'setTimeout(done, 5)')).toBe(true);
});

test('setInterval keeps context', async ({ page }) => {
  expect(await keeps(page, 'const id = setInterval(() => { clearInterval(id); done(); }, 5)')).toBe(true);
});

test('Promise.then keeps context', async ({ page }) => {
  expect(await keeps(page, 'Promise.resolve().then(() => new Promise(r => setTimeout(r, 1))).then(done)')).toBe(true);
});

test('queueMicrotask keeps context', async ({ page }) => {
  expect(await keeps(page, 'queueMicrotask(done)')).toBe(true);
});

test('requestAnimationFrame keeps context', async ({ page }) => {
  expect(await keeps(page, 'requestAnimationFrame(() => done())')).toBe(true);
});

test('an event listener added under a span runs in it when the event fires later', async ({ page }) => {
  const kept = await page.evaluate(() => {
    return new Promise<boolean>((resolve) => {
      const tracer = Spanbeam.getTracer('ctx');
      const span = tracer.startSpan('outer');
      const button = document.getElementById('b')!;
      tracer.withSpan(span, () => {
        button.addEventListener('click', () => resolve(Spanbeam.getActiveSpan() === span), { once: true });
      });
      setTimeout(() => button.click(), 5); // dispatched from outside the span
    });
  });
  expect(kept).toBe(true);
});

test('XHR load callbacks keep context', async ({ page }) => {
  expect(
    await keeps(page, "const x = new XMLHttpRequest(); x.open('GET', '/api/ok'); x.onload = () => done(); x.send();"),
  ).toBe(true);
});

test('fetch().then keeps context', async ({ page }) => {
  expect(await keeps(page, "fetch('/api/ok').then(r => r.text()).then(done)")).toBe(true);
});

test('native async function: context holds before the first await', async ({ page }) => {
  expect(await keeps(page, 'const f = async () => { done(); }; f();')).toBe(true);
});

test('native async function: context is LOST after await (zone.js cannot see native await)', async ({ page }) => {
  expect(await keeps(page, 'const f = async () => { await new Promise(r => setTimeout(r, 1)); done(); }; f();')).toBe(false);
});

test('native await of an already-resolved value also loses context', async ({ page }) => {
  expect(await keeps(page, 'const f = async () => { await 0; done(); }; f();')).toBe(false);
});

test('explicit fix: capture the span before await and restore it with context.with', async ({ page }) => {
  expect(
    await keeps(
      page,
      `const f = async () => {
        const span = Spanbeam.getActiveSpan();
        await new Promise(r => setTimeout(r, 1));
        Spanbeam.context.with(span, done);
      }; f();`,
    ),
  ).toBe(true);
});

test('explicit fix: a callback bound with context.bind runs in its span wherever it is called', async ({ page }) => {
  expect(
    await keeps(
      page,
      `const cb = Spanbeam.context.bind(done);
       const f = async () => { await new Promise(r => setTimeout(r, 1)); cb(); }; f();`,
    ),
  ).toBe(true);
});

test('explicit fix: passing the parent span makes the right child after await', async ({ page }) => {
  const ok = await page.evaluate(async () => {
    const tracer = Spanbeam.getTracer('ctx');
    const parent = tracer.startSpan('parent');
    const child = await tracer.withSpan(parent, async () => {
      const p = Spanbeam.getActiveSpan();
      await new Promise((r) => setTimeout(r, 1));
      return tracer.startSpan('child', { parent: p });
    });
    return child.spanContext().traceId === parent.spanContext().traceId;
  });
  expect(ok).toBe(true);
});

test('spans started in a timer under an active span become its children', async ({ page }) => {
  const parented = await page.evaluate(() => {
    return new Promise<boolean>((resolve) => {
      const tracer = Spanbeam.getTracer('ctx');
      const ended: Array<{ name: string; parent?: string; id: string }> = [];
      Spanbeam.getTracerProvider().addSpanProcessor(
        Spanbeam.onSpanEnd((s) => ended.push({ name: s.name, parent: s.parentSpanId, id: s.spanContext().spanId })),
      );
      tracer.startActiveSpan('click', (click) => {
        setTimeout(() => {
          tracer.startSpan('fetch').end();
          click.end();
          const fetchSpan = ended.find((e) => e.name === 'fetch')!;
          resolve(fetchSpan.parent === click.spanContext().spanId);
        }, 5);
      });
    });
  });
  expect(parented).toBe(true);
});

test('a loop that starts its next span in a timer does not chain a zone per span (each would keep its ended span)', async ({ page }) => {
  const out = await page.evaluate(() => {
    return new Promise<{ depth: number; chained: boolean }>((resolve) => {
      const tracer = Spanbeam.getTracer('ctx');
      const ids: Array<[string, string | undefined]> = [];
      let n = 0;
      const poll = () =>
        tracer.startActiveSpan('poll', (s) => {
          ids.push([s.spanContext().spanId, (s as unknown as { parentSpanId?: string }).parentSpanId]);
          s.end();
          if (++n < 50) return void setTimeout(poll, 0);
          let depth = 0;
          for (let z = (globalThis as unknown as { Zone: { current: { parent: unknown } | null } }).Zone.current; z; z = z.parent as typeof z) depth++;
          // Context still follows: each step is the child of the one before.
          resolve({ depth, chained: ids.every(([, p], i) => i === 0 || p === ids[i - 1][0]) });
        });
      poll();
    });
  });
  expect(out).toEqual({ depth: 2, chained: true }); // root → our one zone, not 51 deep
});

test.describe('without zone.js', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto(`${server.origin}/test/pages/context-nozone.html`);
  });

  test('the synchronous fallback keeps context inside the call and loses it across setTimeout', async ({ page }) => {
    const r = await page.evaluate(() => {
      return new Promise<[boolean, boolean]>((resolve) => {
        const tracer = Spanbeam.getTracer('ctx');
        tracer.startActiveSpan('outer', (span) => {
          const inside = Spanbeam.getActiveSpan() === span;
          setTimeout(() => resolve([inside, Spanbeam.getActiveSpan() === undefined]), 1);
        });
      });
    });
    expect(r).toEqual([true, true]);
  });

  test('context.bind still carries a span across async hops explicitly', async ({ page }) => {
    const kept = await page.evaluate(() => {
      return new Promise<boolean>((resolve) => {
        const tracer = Spanbeam.getTracer('ctx');
        const span = tracer.startSpan('outer');
        setTimeout(Spanbeam.context.bind(() => resolve(Spanbeam.getActiveSpan() === span), span), 1);
      });
    });
    expect(kept).toBe(true);
  });
});
