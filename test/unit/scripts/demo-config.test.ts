// demo/config.mjs: the addresses every process of the demo computes from the environment.
import { expect, it } from 'vitest';
// @ts-expect-error: a JavaScript module of the demo, without types
import { demoConfig } from '../../../demo/config.mjs';

it('binds 127.0.0.1 by default, with the documented ports', () => {
  const c = demoConfig({});
  expect(c.host).toBe('127.0.0.1');
  expect(c.origins).toEqual({
    app: 'http://127.0.0.1:5173',
    viewer: 'http://127.0.0.1:5174',
    api: 'http://127.0.0.1:5175',
    inventory: 'http://127.0.0.1:5176',
    receiver: 'http://127.0.0.1:4318',
  });
  expect(c.endpoint).toBe('http://127.0.0.1:4318/v1/traces');
});

it('writes an IPv6 HOST in brackets, so the origins are URLs', () => {
  const c = demoConfig({ HOST: '::1' });
  expect(c.origins.api).toBe('http://[::1]:5175');
  expect(new URL(c.endpoint).port).toBe('4318');
});

it('takes RECEIVER_ALLOWED_ORIGINS as exact origins, and refuses what is not one', () => {
  expect(demoConfig({}).allowedOrigins).toEqual([]);
  expect(demoConfig({ RECEIVER_ALLOWED_ORIGINS: 'http://localhost:3000/, https://app.test:8443' }).allowedOrigins).toEqual(['http://localhost:3000', 'https://app.test:8443']);
  for (const bad of ['localhost:3000', 'http://localhost:3000/app', '*']) {
    expect(() => demoConfig({ RECEIVER_ALLOWED_ORIGINS: bad })).toThrow(/RECEIVER_ALLOWED_ORIGINS: .* is not an origin/);
  }
});
