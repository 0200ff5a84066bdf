import { describe, expect, it } from 'vitest';
import { redactUrl, redactUrls } from '../../../../src/sdk/instrument/redact';

describe('redactUrl', () => {
  it('replaces credentials and secret-looking query and fragment values, keeping encoding', () => {
    expect(redactUrl('https://user:pw@example.com/a?token=abc&page=2&api_key=k%20x&q=a+b#access_token=zz&x=1')).toBe(
      'https://REDACTED:REDACTED@example.com/a?token=REDACTED&page=2&api_key=REDACTED&q=a+b#access_token=REDACTED&x=1',
    );
  });
  it('covers the usual secret names and leaves harmless ones', () => {
    const u = redactUrl('https://e.com/?password=1&secret=2&auth=3&session_id=4&sig=5&code=6&X-Amz-Signature=7&id=8&sort=asc');
    expect(u).toBe('https://e.com/?password=REDACTED&secret=REDACTED&auth=REDACTED&session_id=REDACTED&sig=REDACTED&code=REDACTED&X-Amz-Signature=REDACTED&id=8&sort=asc');
  });
  it('resolves relative URLs against a base and truncates data: URLs', () => {
    expect(redactUrl('/x?key=1', 'http://h:8080/p/')).toBe('http://h:8080/x?key=REDACTED');
    expect(redactUrl('data:text/plain;base64,' + 'A'.repeat(500)).length).toBe(64);
  });
  it('drops the query of strings that are not URLs', () => {
    expect(redactUrl('not a url?token=1')).toBe('not a url');
  });
});

describe('redactUrls', () => {
  it('redacts the URLs in Chromium and Firefox stack traces, keeping line:column and the rest', () => {
    const chrome = 'Error: boom\n    at boom (http://h:8080/boom.js?token=S3CRET&v=2:1:30)\n    at http://h:8080/app.js?key=K:12:5\n    at <anonymous>:1:1';
    expect(redactUrls(chrome)).toBe(
      'Error: boom\n    at boom (http://h:8080/boom.js?token=REDACTED&v=2:1:30)\n    at http://h:8080/app.js?key=REDACTED:12:5\n    at <anonymous>:1:1',
    );
    expect(redactUrls('boom@https://h/b.js?sig=x:3:7\n@https://h/c.js:1:2')).toBe('boom@https://h/b.js?sig=REDACTED:3:7\n@https://h/c.js:1:2');
  });
});

describe('redactUrl: session ids', () => {
  it('redacts PHPSESSID-style names and `sess` as a whole word, not words containing it', () => {
    expect(redactUrl('https://e.com/app?PHPSESSID=abc123&sess_id=2&sess=3&assess=4&x=1')).toBe('https://e.com/app?PHPSESSID=REDACTED&sess_id=REDACTED&sess=REDACTED&assess=4&x=1');
  });
  it('redacts secret path parameters (`;jsessionid=`, servlet URL rewriting) and keeps other ones', () => {
    expect(redactUrl('https://e.com/app;jsessionid=ABC123DEF/x;v=2?y=1')).toBe('https://e.com/app;jsessionid=REDACTED/x;v=2?y=1');
  });
});

describe('redactUrl: every secret-looking name, however written', () => {
  it('redacts each credential-like parameter name', () => {
    const names = ['pwd', 'client_credential', 'id_jwt', 'otp', 'ticket', 'nonce', 'state', 'bearer', 'cookie'];
    const u = redactUrl(`https://e.com/?${names.map((n) => `${n}=s3cret`).join('&')}&page=2`);
    expect(u).toBe(`https://e.com/?${names.map((n) => `${n}=REDACTED`).join('&')}&page=2`);
  });
  it('matches percent-encoded names and `;`-separated pairs', () => {
    expect(redactUrl('https://e.com/?%74oken=abc&a=1;api_key=k')).toBe('https://e.com/?%74oken=REDACTED&a=1;api_key=REDACTED');
  });
});

describe('redactUrl: inputs it must not change or leak', () => {
  it('never changes a URL object it is given (it may be the app’s), credentials or not', () => {
    for (const href of ['https://user:pw@e.com/p?token=1', 'https://:pw@e.com/p', 'https://e.com/p?token=1']) {
      const u = new URL(href);
      const before = u.href;
      expect(redactUrl(u)).not.toMatch(/pw|token=1/);
      expect(u.href).toBe(before);
    }
  });
  it('keeps neither the query nor the fragment of a non-URL, and cuts it to 256 characters', () => {
    expect(redactUrl('not a url#access_token=zz')).toBe('not a url');
    expect(redactUrl('x'.repeat(1000))).toBe('x'.repeat(256));
  });
});
