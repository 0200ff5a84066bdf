import { describe, expect, it } from 'vitest';
import { b3Multi, b3Single, createPropagationPolicy, jaeger, w3cTraceContext } from '../../../src/propagation/index';

const PAGE = 'https://app.example.com';

describe('same-origin default', () => {
  const policy = createPropagationPolicy({ pageOrigin: PAGE });

  it('propagates to the page origin, including relative URLs', () => {
    for (const url of ['https://app.example.com/api', '/api/x', 'api/x?q=1', 'https://APP.example.com:443/x', new URL('https://app.example.com/u')]) {
      expect(policy.shouldPropagate(url), String(url)).toBe(true);
    }
    expect(policy.propagatorsFor('/api')).toEqual([w3cTraceContext]);
  });

  it('does not propagate anywhere else', () => {
    for (const url of [
      'http://app.example.com/api', // scheme differs
      'https://app.example.com:8443/api', // port differs
      'https://api.example.com/',
      'https://app.example.com.evil.net/',
      'https://app.example.com@evil.net/',
      '//evil.net/x', // protocol-relative
      'https://evil.net/https://app.example.com/',
      'data:text/plain,hi',
      'blob:https://app.example.com/1234',
      'javascript:alert(1)',
      'http://[::1', // unparsable
    ]) {
      expect(policy.shouldPropagate(url), url).toBe(false);
      expect(policy.propagatorsFor(url)).toEqual([]);
    }
  });

  it('without a page origin only absolute allowlisted URLs qualify', () => {
    const p = createPropagationPolicy({ propagateTo: ['https://api.example.com'] });
    expect(p.shouldPropagate('/api')).toBe(false);
    expect(p.shouldPropagate('https://api.example.com/x')).toBe(true);
    expect(createPropagationPolicy().shouldPropagate('https://app.example.com/')).toBe(false);
  });

  it('normalizes default ports in the page origin', () => {
    const p = createPropagationPolicy({ pageOrigin: 'http://localhost:80/' });
    expect(p.shouldPropagate('http://localhost/x')).toBe(true);
    expect(p.shouldPropagate('http://localhost:8080/x')).toBe(false);
  });
});

describe('allowlist', () => {
  it('matches an origin string exactly', () => {
    const p = createPropagationPolicy({ pageOrigin: PAGE, propagateTo: ['https://api.example.com'] });
    expect(p.shouldPropagate('https://api.example.com')).toBe(true);
    expect(p.shouldPropagate('https://api.example.com/v1/users?id=1')).toBe(true);
    expect(p.shouldPropagate('https://API.EXAMPLE.COM:443/x')).toBe(true);
    expect(p.shouldPropagate('https://api.example.com.evil.net/x')).toBe(false);
    expect(p.shouldPropagate('https://api.example.com:444/x')).toBe(false);
    expect(p.shouldPropagate('http://api.example.com/x')).toBe(false);
    expect(p.shouldPropagate('https://sub.api.example.com/x')).toBe(false);
    expect(p.shouldPropagate('https://evil.net/?u=https://api.example.com')).toBe(false);
  });

  it('compares hosts as the browser does: IDN as punycode, IPv6 literals, a trailing dot is another host', () => {
    const p = createPropagationPolicy({ propagateTo: ['https://bücher.example', 'http://[::1]:8080', 'https://api.example.com'] });
    expect(p.shouldPropagate('https://xn--bcher-kva.example/x')).toBe(true);
    expect(p.shouldPropagate('https://BÜCHER.example/x')).toBe(true);
    expect(p.shouldPropagate('https://bucher.example/x')).toBe(false);
    expect(p.shouldPropagate('http://[0:0:0:0:0:0:0:1]:8080/x')).toBe(true);
    expect(p.shouldPropagate('http://[::2]:8080/x')).toBe(false);
    expect(p.shouldPropagate('https://api.example.com./x')).toBe(false);
    for (const url of ['about:blank', 'about:srcdoc', 'blob:https://api.example.com/1234', 'data:,https://api.example.com/', 'wss://api.example.com/'])
      expect(p.shouldPropagate(url), url).toBe(false);
  });

  it('treats an explicit default port and trailing slash as the same origin', () => {
    const p = createPropagationPolicy({ propagateTo: ['https://api.example.com:443/'] });
    expect(p.shouldPropagate('https://api.example.com/x')).toBe(true);
  });

  it('matches a URL prefix only at a path boundary', () => {
    const p = createPropagationPolicy({ propagateTo: ['https://api.example.com/v1'] });
    expect(p.shouldPropagate('https://api.example.com/v1')).toBe(true);
    expect(p.shouldPropagate('https://api.example.com/v1/users')).toBe(true);
    expect(p.shouldPropagate('https://api.example.com/v1?x=1')).toBe(true);
    expect(p.shouldPropagate('https://api.example.com/v1#frag')).toBe(true);
    expect(p.shouldPropagate('https://api.example.com/v10')).toBe(false);
    expect(p.shouldPropagate('https://api.example.com/v2/users')).toBe(false);
    expect(p.shouldPropagate('https://api.example.com/')).toBe(false);
    expect(p.shouldPropagate('https://api.example.com.evil.net/v1')).toBe(false);
    const slash = createPropagationPolicy({ propagateTo: ['https://api.example.com/v1/'] });
    expect(slash.shouldPropagate('https://api.example.com/v1/x')).toBe(true);
    expect(slash.shouldPropagate('https://api.example.com/v1')).toBe(false);
  });

  it('matches a URL with a query at a parameter boundary, not the rest of its origin', () => {
    const p = createPropagationPolicy({ propagateTo: ['https://api.example.com/?tenant=a'] });
    expect(p.shouldPropagate('https://api.example.com/?tenant=a')).toBe(true);
    expect(p.shouldPropagate('https://api.example.com/?tenant=a&x=1')).toBe(true);
    expect(p.shouldPropagate('https://api.example.com/?tenant=a#h')).toBe(true);
    expect(p.shouldPropagate('https://api.example.com/?tenant=ab')).toBe(false);
    expect(p.shouldPropagate('https://api.example.com/other')).toBe(false);
    const hash = createPropagationPolicy({ propagateTo: ['https://api.example.com/#x'] });
    expect(hash.shouldPropagate('https://api.example.com/other')).toBe(false);
  });

  it('matches whatever follows an entry that ends in a delimiter', () => {
    for (const entry of ['https://api.example.com/v1?', 'https://api.example.com/v1?a=1&', 'https://api.example.com/v1#']) {
      const p = createPropagationPolicy({ propagateTo: [entry] });
      expect(p.shouldPropagate(entry + 'x=1'), entry).toBe(true);
      expect(p.shouldPropagate('https://api.example.com/v2'), entry).toBe(false);
    }
  });

  it('tests RegExps against the full absolute URL', () => {
    const p = createPropagationPolicy({ pageOrigin: PAGE, propagateTo: [/^https:\/\/[a-z]+\.internal\.example\.com\//] });
    expect(p.shouldPropagate('https://orders.internal.example.com/x')).toBe(true);
    expect(p.shouldPropagate('https://orders.internal.example.com.evil.net/x')).toBe(false);
    // relative URLs are resolved before matching
    const rel = createPropagationPolicy({ pageOrigin: PAGE, propagateTo: [/^https:\/\/app\.example\.com\/only/] });
    expect(rel.propagatorsFor('/only/this')).toEqual([w3cTraceContext]);
  });

  it('is not confused by global RegExps', () => {
    const p = createPropagationPolicy({ propagateTo: [/api\.example\.com/g] });
    for (let i = 0; i < 3; i++) expect(p.shouldPropagate('https://api.example.com/x')).toBe(true);
    const anchored = createPropagationPolicy({ propagateTo: [/^https:\/\/api\.example\.com\//g] });
    for (let i = 0; i < 3; i++) expect(anchored.shouldPropagate('https://api.example.com/x')).toBe(true);
  });

  it('allows everything only with an explicit RegExp', () => {
    expect(createPropagationPolicy({ propagateTo: [/.*/] }).shouldPropagate('https://anything.net/')).toBe(true);
    expect(createPropagationPolicy({ propagateTo: ['*'] }).shouldPropagate('https://anything.net/')).toBe(false);
    // …and even then only http(s) URLs: a scheme that merely ends in "http:" or "https:" does not count.
    expect(createPropagationPolicy({ propagateTo: [/.*/] }).shouldPropagate('git+https://anything.net/')).toBe(false);
    expect(createPropagationPolicy({ propagateTo: [/.*/] }).shouldPropagate('xhttp://anything.net/')).toBe(false);
  });

  it('ignores entries that are not absolute http(s) URLs', () => {
    const p = createPropagationPolicy({ propagateTo: ['api.example.com', '/relative', 'ftp://api.example.com', ''] });
    expect(p.shouldPropagate('https://api.example.com/')).toBe(false);
    expect(p.shouldPropagate('ftp://api.example.com/')).toBe(false);
  });
});

describe('per-origin propagators', () => {
  const p = createPropagationPolicy({
    pageOrigin: PAGE,
    propagateTo: [
      { match: 'https://zipkin.example.com', propagators: [b3Single, b3Multi] },
      { match: /^https:\/\/jaeger\./, propagators: [jaeger, w3cTraceContext] },
      { match: 'https://app.example.com/auth', propagators: [] },
      'https://api.example.com',
    ],
  });

  it('picks the propagators of the first matching entry', () => {
    expect(p.propagatorsFor('https://zipkin.example.com/x')).toEqual([b3Single, b3Multi]);
    expect(p.propagatorsFor('https://jaeger.example.com/x')).toEqual([jaeger, w3cTraceContext]);
    expect(p.propagatorsFor('https://api.example.com/x')).toEqual([w3cTraceContext]);
    expect(p.propagatorsFor('/data')).toEqual([w3cTraceContext]);
  });

  it('lets an entry with no propagators exclude URLs, even same-origin ones', () => {
    expect(p.propagatorsFor('/auth/login')).toEqual([]);
    expect(p.shouldPropagate('https://app.example.com/auth')).toBe(false);
    expect(p.shouldPropagate('https://app.example.com/authors')).toBe(true);
  });

  it('uses the configured default propagators', () => {
    const q = createPropagationPolicy({ pageOrigin: PAGE, propagators: [b3Single] });
    expect(q.propagatorsFor('/x')).toEqual([b3Single]);
  });

  it('does not let callers mutate the configured lists', () => {
    const list = [b3Single];
    const q = createPropagationPolicy({ propagateTo: [{ match: /x/, propagators: list }] });
    list.push(jaeger);
    expect(q.propagatorsFor('https://x.net/')).toEqual([b3Single]);
  });
});

describe("the README's propagateTo RegExp example", () => {
  it('allows its subdomains only, not another host with the name in its path', async () => {
    const { readFileSync } = await import('node:fs');
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const line = readme.split('\n').find((l) => l.startsWith('const policy = createPropagationPolicy({ pageOrigin: self.origin'))!;
    const re = new RegExp(/, \/(\^.*)\/\] \}\);/.exec(line)![1]);
    const policy = createPropagationPolicy({ pageOrigin: PAGE, propagateTo: [re] });
    expect(policy.shouldPropagate('https://api.example.net/x')).toBe(true);
    expect(policy.shouldPropagate('https://evil.com/a.example.net/')).toBe(false);
    expect(policy.shouldPropagate('https://evil.com/?.example.net/')).toBe(false);
  });
});
