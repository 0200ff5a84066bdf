import { describe, expect, it } from 'vitest';
import {
  extractBaggage,
  formatBaggage,
  injectBaggage,
  isValidBaggageKey,
  MAX_BAGGAGE_BYTES,
  parseBaggage,
  percentDecode,
  percentEncode,
} from '../../../src/propagation/index';

// key = token (RFC 9110 §5.6.2): tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." /
// "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
describe('baggage keys', () => {
  const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

  it('accepts every tchar', () => {
    expect(isValidBaggageKey(TCHARS)).toBe(true);
    for (const c of TCHARS) expect(isValidBaggageKey(c), c).toBe(true);
  });

  it('rejects every other character', () => {
    for (let c = 0; c < 0x100; c++) {
      const ch = String.fromCharCode(c);
      if (!TCHARS.includes(ch)) expect(isValidBaggageKey('a' + ch), `U+${c.toString(16)}`).toBe(false);
    }
    expect(isValidBaggageKey('')).toBe(false);
  });
});

describe('parseBaggage', () => {
  it('parses the spec example with properties and OWS', () => {
    expect(parseBaggage('key1=value1;property1;property2, key2 = value2, key3=value3; propertyKey=propertyValue')).toEqual([
      { key: 'key1', value: 'value1', metadata: 'property1;property2' },
      { key: 'key2', value: 'value2' },
      { key: 'key3', value: 'value3', metadata: 'propertyKey=propertyValue' },
    ]);
  });

  it('tolerates spaces and tabs around every delimiter', () => {
    expect(
      parseBaggage(
        'SomeKey \t = \t SomeValue \t ; \t SomeProp \t , \t SomeKey2 \t = \t SomeValue2 \t ; \t ValueProp \t = \t PropVal',
      ),
    ).toEqual([
      { key: 'SomeKey', value: 'SomeValue', metadata: 'SomeProp' },
      { key: 'SomeKey2', value: 'SomeValue2', metadata: 'ValueProp=PropVal' },
    ]);
  });

  it('keeps equal signs inside values and repeated properties', () => {
    expect(parseBaggage('SomeKey=SomeValue=equals')).toEqual([{ key: 'SomeKey', value: 'SomeValue=equals' }]);
    expect(parseBaggage('k=v;p;p=1;p=2')).toEqual([{ key: 'k', value: 'v', metadata: 'p;p=1;p=2' }]);
  });

  it('percent-decodes values as UTF-8', () => {
    expect(parseBaggage('userId=Am%C3%A9lie,serverNode=DF%2028,isProduction=false')).toEqual([
      { key: 'userId', value: 'Amélie' },
      { key: 'serverNode', value: 'DF 28' },
      { key: 'isProduction', value: 'false' },
    ]);
    expect(parseBaggage('k=%09%20%22%27%3B%3Dasdf%21%40%23%24%25%5E%26%2A%28%29')[0].value).toBe('\t "\';=asdf!@#$%^&*()');
    expect(parseBaggage('k=%F0%9F%98%80')[0].value).toBe('😀');
  });

  it('replaces invalid UTF-8 with U+FFFD', () => {
    expect(parseBaggage('k=%FF')[0].value).toBe('\ufffd');
    expect(parseBaggage('k=a%C3b')[0].value).toBe('a\ufffdb');
    expect(parseBaggage('k=%C3%28')[0].value).toBe('\ufffd(');
    expect(parseBaggage('k=%ED%A0%80')[0].value).toContain('\ufffd'); // encoded surrogate
    expect(parseBaggage('k=%E2%82')[0].value).toBe('\ufffd'); // truncated sequence
  });

  it('leaves a malformed % escape literal', () => {
    expect(parseBaggage('k=100%')[0].value).toBe('100%');
    expect(parseBaggage('k=%zz%41')[0].value).toBe('%zzA');
    expect(parseBaggage('k=%4z')[0].value).toBe('%4z');
    // the characters just outside 0-9, A-F and a-f are not hex digits
    for (const bad of ['/', ':', '@', 'G', '`', 'g']) {
      expect(percentDecode(`%${bad}1`), bad).toBe(`%${bad}1`);
      expect(percentDecode(`%1${bad}`), bad).toBe(`%1${bad}`);
    }
  });

  // RFC 3986 §2.1: the hex digits of a percent-encoding are case-insensitive.
  it('decodes lowercase and uppercase escapes alike, every hex digit', () => {
    expect(parseBaggage('k=Am%c3%a9lie')[0].value).toBe('Amélie');
    expect(percentDecode('%30%39%3a%3A%3f%3F%41%46%61%66')).toBe('09::??AFaf');
  });

  it('decodes only the escapes, not hex-looking text after them', () => {
    expect(percentDecode('%20deadbeef')).toBe(' deadbeef');
    expect(percentDecode('%41%42abc%43')).toBe('ABabcC');
  });

  it('skips invalid members and keeps the rest', () => {
    expect(parseBaggage('good=1,no-equals,bad key=2,k=has space,k2="quoted",ok=2')).toEqual([
      { key: 'good', value: '1' },
      { key: 'ok', value: '2' },
    ]);
    expect(parseBaggage('=v,k=v;bad prop=1,k3=v3;=x,k4=v')).toEqual([{ key: 'k4', value: 'v' }]);
  });

  // baggage-octet excludes DQUOTE and backslash, in the first position as anywhere else.
  it('skips a member whose value or property value starts with a character outside baggage-octet', () => {
    expect(parseBaggage('a="x,b=\\x,c=v;p="x,d=1')).toEqual([{ key: 'd', value: '1' }]);
  });

  it('drops empty properties but keeps the member', () => {
    expect(parseBaggage('k=v;,j=1; ;p; ;q=2')).toEqual([
      { key: 'k', value: 'v' },
      { key: 'j', value: '1', metadata: 'p;q=2' },
    ]);
  });

  it('accepts empty values and empty members', () => {
    expect(parseBaggage('k=,,  ,j=1')).toEqual([{ key: 'k', value: '' }, { key: 'j', value: '1' }]);
  });

  it('keeps duplicated keys in order', () => {
    expect(parseBaggage('a=1,a=2').map((e) => e.value)).toEqual(['1', '2']);
  });

  it('passes 64 members and drops the 65th', () => {
    const header = Array.from({ length: 65 }, (_, i) => `k${i}=v${i}`).join(',');
    const out = parseBaggage(header);
    expect(out).toHaveLength(64);
    expect(out[63]).toEqual({ key: 'k63', value: 'v63' });
  });

  it('passes exactly 8192 bytes and drops a member that does not fit, whole', () => {
    // two members: "a=" + 4094 chars (4096 bytes) + "," + "b=" + 4093 chars (4095 bytes) = 8192
    const first = 'a=' + 'x'.repeat(4094);
    const second = 'b=' + 'y'.repeat(4093);
    const fits = parseBaggage(`${first},${second}`);
    expect(fits.map((e) => e.key)).toEqual(['a', 'b']);
    expect(`${first},${second}`.length).toBe(MAX_BAGGAGE_BYTES);
    const tooBig = parseBaggage(`${first},${second}y,c=1`);
    expect(tooBig).toEqual([{ key: 'a', value: 'x'.repeat(4094) }, { key: 'c', value: '1' }]);
  });

  it('passes one member of exactly 8192 bytes (no separator counted before the first)', () => {
    const whole = 'a=' + 'x'.repeat(MAX_BAGGAGE_BYTES - 2);
    expect(parseBaggage(whole).map((e) => e.key)).toEqual(['a']);
    expect(parseBaggage(whole + 'x')).toEqual([]);
    expect(parseBaggage('b=1,' + whole.slice(0, -4)).map((e) => e.key)).toEqual(['b', 'a']);
    expect(parseBaggage('b=1,' + whole.slice(0, -3)).map((e) => e.key)).toEqual(['b']);
  });

  it('counts properties, with their ";", in the 8192 bytes', () => {
    const first = 'a=' + 'x'.repeat(4094); // 4096 bytes, then "," and 4095 bytes to fill 8192
    const second = 'b=v;' + 'p'.repeat(4091);
    expect(parseBaggage(`${first},${second}`).map((e) => e.key)).toEqual(['a', 'b']);
    expect(parseBaggage(`${first},${second}p`).map((e) => e.key)).toEqual(['a']);
  });

  it('measures the combination of all headers', () => {
    const big = 'a=' + 'x'.repeat(8000);
    expect(extractBaggage({ baggage: [big, 'b=' + 'y'.repeat(500)] }).map((e) => e.key)).toEqual(['a']);
  });

  it('reads combined headers from every carrier', () => {
    const expected = [{ key: 'userId', value: 'alice' }, { key: 'serverNode', value: 'DF 28' }, { key: 'isProduction', value: 'false' }];
    expect(extractBaggage({ baggage: ['userId =   alice', 'serverNode = DF%2028, isProduction = false'] })).toEqual(expected);
    const h = new Headers();
    h.append('baggage', 'userId=alice');
    h.append('Baggage', 'serverNode=DF%2028,isProduction=false');
    expect(extractBaggage(h)).toEqual(expected);
    expect(extractBaggage({})).toEqual([]);
  });
});

describe('formatBaggage / injectBaggage', () => {
  it('percent-encodes what the spec requires', () => {
    expect(formatBaggage([{ key: 'serverNode', value: 'DF 28' }])).toBe('serverNode=DF%2028');
    expect(formatBaggage([{ key: 'userId', value: 'Amélie' }])).toBe('userId=Am%C3%A9lie');
    expect(formatBaggage([{ key: 'p', value: '100%' }])).toBe('p=100%25');
    expect(formatBaggage([{ key: 'k', value: 'a,b;c"d\\e\tf' }])).toBe('k=a%2Cb%3Bc%22d%5Ce%09f');
    expect(formatBaggage([{ key: 'k', value: 'a=b!#~' }])).toBe('k=a=b!#~');
  });

  it('round-trips arbitrary strings', () => {
    const values = ['\t "\';=asdf!@#$%^&*()', 'Amélie', '😀 ok', '%41', '', 'line\r\nbreak', '\u0000'];
    for (const value of values) {
      expect(parseBaggage(formatBaggage([{ key: 'k', value }]))).toEqual([{ key: 'k', value }]);
    }
  });

  // baggage-octet = %x21 / %x23-2B / %x2D-3A / %x3C-5B / %x5D-7E; '%' is escaped too, being the escape.
  it('escapes exactly the ASCII characters outside baggage-octet, and %', () => {
    const literal = "!#$&'()*+-./0123456789:<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~";
    for (let c = 0; c < 0x80; c++) {
      const ch = String.fromCharCode(c);
      const hex = c.toString(16).toUpperCase().padStart(2, '0');
      expect(percentEncode(`a${ch}`), `U+${hex}`).toBe(literal.includes(ch) ? `a${ch}` : `a%${hex}`);
    }
  });

  it('encodes UTF-8 correctly at every sequence-length and surrogate boundary', () => {
    const cases: Array<[string, string]> = [
      ['\u0080', '%C2%80'],
      ['\u07ff', '%DF%BF'],
      ['\u0800', '%E0%A0%80'],
      ['\ud7ff', '%ED%9F%BF'],
      ['\ue000', '%EE%80%80'],
      ['\uffff', '%EF%BF%BF'],
      ['\ud800\udc00', '%F0%90%80%80'], // U+10000
      ['\udbff\udfff', '%F4%8F%BF%BF'], // U+10FFFF
      ['x\ud83d\ude00', 'x%F0%9F%98%80'], // a pair at the very end
      ['\ud800', '%EF%BF%BD'],
      ['\udbff', '%EF%BF%BD'],
      ['\udc00', '%EF%BF%BD'],
      ['\udfff', '%EF%BF%BD'],
      ['\ud800\ue000', '%EF%BF%BD%EE%80%80'], // high surrogate, then no low one
      ['\ud7ff\udc00', '%ED%9F%BF%EF%BF%BD'], // low surrogate after a non-surrogate
      ['\ud800\udbff', '%EF%BF%BD%EF%BF%BD'], // two high surrogates are no pair
      ['\udc00\udc00', '%EF%BF%BD%EF%BF%BD'], // nor are two low ones
    ];
    for (const [value, wire] of cases) {
      expect(percentEncode(value), wire).toBe(wire);
      if (!wire.includes('%EF%BF%BD')) expect(percentDecode(wire), wire).toBe(value);
    }
  });

  it('keeps a leading byte order mark (it is part of the value)', () => {
    expect(percentDecode('%EF%BB%BFx')).toBe('\ufeffx');
    expect(parseBaggage(formatBaggage([{ key: 'k', value: '\ufeffx' }]))).toEqual([{ key: 'k', value: '\ufeffx' }]);
  });

  it('encodes lone surrogates as U+FFFD instead of throwing', () => {
    expect(percentEncode('a\ud800b')).toBe('a%EF%BF%BDb');
    expect(percentDecode(percentEncode('x\udc00'))).toBe('x\ufffd');
  });

  it('keeps metadata, normalizes it, and skips entries with invalid keys or metadata', () => {
    expect(
      formatBaggage([
        { key: 'a', value: '1', metadata: ' p1 ; p2 = v ' },
        { key: 'bad key', value: '2' },
        { key: 'c', value: '3', metadata: 'x,y' },
        { key: 'd', value: '4', metadata: '' },
      ]),
    ).toBe('a=1;p1;p2=v,d=4');
  });

  it('writes no ";" for metadata that normalizes to nothing, and keeps a one-character property', () => {
    expect(formatBaggage([{ key: 'd', value: '4', metadata: ' ; ' }])).toBe('d=4');
    expect(formatBaggage([{ key: 'k', value: 'v', metadata: 'p' }])).toBe('k=v;p');
  });

  it('round-trips metadata through parse and format', () => {
    const header = 'key1=value1;property1;property2,key3=value3;propertyKey=propertyValue';
    expect(formatBaggage(parseBaggage(header))).toBe(header);
  });

  it('applies the limits to what it writes, dropping whole entries', () => {
    const many = Array.from({ length: 70 }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    expect(formatBaggage(many).split(',')).toHaveLength(64);
    const big = [{ key: 'a', value: 'x'.repeat(5000) }, { key: 'b', value: 'y'.repeat(5000) }, { key: 'c', value: 'z' }];
    expect(formatBaggage(big)).toBe('a=' + 'x'.repeat(5000) + ',c=z');
    // the encoded size counts: 3000 × "é" is 18000 bytes on the wire
    expect(formatBaggage([{ key: 'e', value: 'é'.repeat(3000) }])).toBe('');
  });

  // The carrier's baggage becomes exactly the entries given: a header copied from the incoming
  // request must not carry on the entries an app took out ("Delete a key/value pair. Any key/value
  // pair MAY be deleted."), also when none is left.
  it('replaces or removes the baggage a carrier already had', () => {
    const incoming = { baggage: 'userId=alice,isProduction=false' };
    const entries = extractBaggage(incoming);
    const out: Record<string, string> = { ...incoming };
    injectBaggage(entries.filter((e) => e.key !== 'userId'), out);
    expect(out).toEqual({ baggage: 'isProduction=false' });
    injectBaggage([], out);
    expect(out).toEqual({});
    const h = new Headers({ Baggage: 'userId=alice' });
    injectBaggage([{ key: 'bad key', value: 'x' }], h);
    expect(h.has('baggage')).toBe(false);
  });

  it('injects into a carrier, and writes nothing when empty', () => {
    const carrier: Record<string, string> = {};
    injectBaggage([], carrier);
    expect(carrier).toEqual({});
    injectBaggage([{ key: 'userId', value: 'alice' }, { key: 'isProduction', value: 'false' }], carrier);
    expect(carrier).toEqual({ baggage: 'userId=alice,isProduction=false' });
    const h = new Headers();
    injectBaggage([{ key: 'k', value: 'v w' }], h);
    expect(extractBaggage(h)).toEqual([{ key: 'k', value: 'v w' }]);
  });
});
