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

describe('redactUrl: secrets inside other parameters’ values', () => {
  it('redacts a return URL that carries a secret parameter, percent-encoded or not, and nested', () => {
    // A login page reached from a magic link: `?next=` holds the link, token and all.
    expect(redactUrl('https://e.com/login?next=%2Fverify%3Ftoken%3DSECRET-1&page=2')).toBe('https://e.com/login?next=REDACTED&page=2');
    expect(redactUrl('https://e.com/login?next=/verify?token=SECRET-2&page=2')).toBe('https://e.com/login?next=REDACTED&page=2');
    expect(redactUrl('https://e.com/login?to=https%3A%2F%2Fa.com%2Fcb%23access_token%3DSECRET-3')).toBe('https://e.com/login?to=REDACTED');
    expect(redactUrl('https://e.com/a?r=%2Fb%3Fnext%3D%252Fc%253Fcode%253DSECRET-4#x=1')).toBe('https://e.com/a?r=REDACTED#x=1');
    expect(redactUrl('https://e.com/#/login?next=%2Fverify%3Fsig%3DSECRET-5')).toBe('https://e.com/#/login?next=REDACTED');
  });
  it('keeps values that hold no secret parameter', () => {
    for (const u of ['https://e.com/login?next=%2Fcart%3Fitem%3D3&page=2', 'https://e.com/?q=a%3Db', 'https://e.com/?next=/x?y=1', 'https://e.com/?q=100%25', 'https://e.com/?q=%E0%A4%A&r=%&%=1'])
      expect(redactUrl(u)).toBe(u);
  });
});

describe('redactUrl: short session ids', () => {
  it('redacts `sid` names (Socket.IO polling, connect.sid) and keeps words merely containing it', () => {
    expect(redactUrl('https://e.com/socket.io/?EIO=4&transport=polling&sid=SECRET-1&connect.sid=SECRET-2&SID=SECRET-3&side=l&sidebar=1&inside=2')).toBe(
      'https://e.com/socket.io/?EIO=4&transport=polling&sid=REDACTED&connect.sid=REDACTED&SID=REDACTED&side=l&sidebar=1&inside=2',
    );
  });
});

describe('redactUrls: long text', () => {
  it('takes time linear in the text: 64 KB of `http://` (an error message a page built from input; 1.9 s when quadratic)', () => {
    const text = 'http://'.repeat(9400) + '(';
    const t = performance.now();
    redactUrls(text);
    expect(performance.now() - t).toBeLessThan(300);
    // A URL right before a parenthesis is redacted up to it.
    expect(redactUrls('at http://h/x.js?token=T(1)')).toBe('at http://h/x.js?token=REDACTED(1)');
  });
});

describe('redactUrls: WebSocket URLs', () => {
  it('redacts ws: and wss: URLs in messages (tokens go in their query: a WebSocket cannot send headers)', () => {
    expect(redactUrls('socket wss://rt.e.com/live?token=SECRET failed (ws://u:PW@h/x)')).toBe('socket wss://rt.e.com/live?token=REDACTED failed (ws://REDACTED:REDACTED@h/x)');
  });
});

describe('redactUrls: a URL right before a `(`', () => {
  it('is redacted (it was kept whole, secrets too)', () => {
    expect(redactUrls('GET https://api.e.com/x?token=SECRET(retry 2) failed')).toBe('GET https://api.e.com/x?token=REDACTED(retry 2) failed');
  });
  it('takes time linear in the text: 128 KB of URLs without spaces before one, in a few milliseconds', () => {
    const text = 'preload failed: ' + 'https://cdn.e.com/a.js,'.repeat(5600) + '(3 tries)';
    const t = performance.now();
    redactUrls(text);
    // Quadratic matching took about a second here (3 s for a 128 KB uncaught error's message).
    expect(performance.now() - t).toBeLessThan(200);
  });
});

describe('redactUrls: URLs the browser could not parse', () => {
  it('keeps no credentials of them (fetch and WebSocket quote such URLs whole in their messages)', () => {
    expect(redactUrls("Failed to execute 'fetch' on 'Window': Failed to parse URL from https://alice:SECRET-PW@api.e.com:99999/x?token=SECRET-T")).toBe(
      "Failed to execute 'fetch' on 'Window': Failed to parse URL from https://api.e.com:99999/x",
    );
    expect(redactUrl('wss://u:SECRET@h:99999/?token=SECRET-WS')).toBe('wss://h:99999/');
  });
});

describe('redactUrl: long URLs', () => {
  it('takes time linear in the URL: a 64 KB query and fragment without `=` (a state blob) in well under a frame', () => {
    const blob = 'H4sIAAAAAAAAA'.repeat(2500); // 32.5 KB
    const url = `https://e.com/play?${blob}#code/${blob}`;
    const t = performance.now();
    expect(redactUrl(url)).toBe(url);
    expect(redactUrl(`https://e.com/?state=${blob}&q=${encodeURIComponent(blob)}`)).toBe(`https://e.com/?state=REDACTED&q=${blob}`);
    // Quadratic matching took seconds here; linear takes about a millisecond.
    expect(performance.now() - t).toBeLessThan(200);
  });
});
