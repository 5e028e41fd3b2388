/**
 * fast-check arbitraries for what a client can put in a JSON field: wrong types, huge and empty strings, lone
 * surrogates, control characters, extreme numbers written digit for digit, deep nesting.
 * @module
 */
import fc from 'fast-check';
import { RawJson, type JsonLike } from './json-text.ts';

/** Numbers no well-behaved client sends: -0, past float64, past 2^53, denormals, floats where ints go. */
export const extremeNumber: fc.Arbitrary<JsonLike> = fc.constantFrom(
  new RawJson('-0'),
  new RawJson('0.0'),
  new RawJson('1e308'),
  new RawJson('-1e308'),
  new RawJson('1e400'),
  new RawJson('-1e400'),
  new RawJson('5e-324'),
  new RawJson('1e-400'),
  new RawJson('123456789012345678901234567890'),
  new RawJson('-123456789012345678901234567890'),
  new RawJson('9007199254740993'),
  new RawJson('9007199254740992'),
  new RawJson('4294967296'),
  new RawJson('4294967295.5'),
  new RawJson('2147483648'),
  new RawJson('-2147483649'),
  new RawJson('0.5'),
  new RawJson('1.0000000000000002'),
  new RawJson('1E2'),
  new RawJson('-1'),
  new RawJson('0'),
  new RawJson(`1${'0'.repeat(400)}`),
);

export const anyNumber: fc.Arbitrary<JsonLike> = fc.oneof(
  extremeNumber,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -2, max: 1100 }),
);

/** Strings that break naive code: empty, blank, lone surrogates (written as JSON escapes), controls, markup. */
export const nastyString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t\n\r',
    '\ud800',
    '\udfff',
    'a\ud800b',
    '\udc00\ud800',
    'ok\udbff',
    '\u0000',
    'a\u0000b',
    '\u0007\u0008',
    '\u001b[2J',
    '\u007f',
    '\u0085',
    '\u2028\u2029',
    '\ufeff',
    '\ufffe\uffff',
    '\u{10ffff}',
    '\u200b\u200d\u200e\u202e',
    'e\u0301\u0301\u0301\u0301',
    '🙂',
    '👩‍👩‍👧‍👦',
    'null',
    'undefined',
    'true',
    '0',
    '-1',
    'NaN',
    'Infinity',
    '1e308',
    '../../etc/passwd',
    '%00',
    '%',
    '<script>alert(1)</script>',
    "'; DROP TABLE api_keys; --",
    '\\',
    '"',
    '{}',
    '__proto__',
    'constructor',
  ),
  fc.string({ unit: 'binary', maxLength: 48 }),
  fc.string({ unit: 'grapheme', maxLength: 48 }),
  fc.string({ maxLength: 48 }),
  fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit).repeat(3)),
);

/** A string `length` code units long, for bounds: one past a limit, and far past it. */
export function longString(minLength: number, maxLength: number): fc.Arbitrary<string> {
  return fc.tuple(fc.integer({ min: minLength, max: maxLength }), fc.constantFrom('a', 'é', '中', '🙂', ' ', '\u0301')).map(([length, unit]) => unit.repeat(Math.max(1, Math.ceil(length / unit.length))));
}

/** Arrays or objects nested `depth` deep (as text: building them as values would be as deep). */
export const deepNest: fc.Arbitrary<JsonLike> = fc.tuple(fc.integer({ min: 2, max: 5000 }), fc.boolean()).map(([depth, arrays]) =>
  arrays ? new RawJson(`${'['.repeat(depth)}1${']'.repeat(depth)}`, 'array') : new RawJson(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`, 'object'),
);

/** Any JSON value, most of them of the wrong type for any one field. */
export function anyValue(maxStringLength: number): fc.Arbitrary<JsonLike> {
  return fc.oneof(
    { weight: 3, arbitrary: nastyString },
    { weight: 3, arbitrary: anyNumber },
    { weight: 1, arbitrary: fc.constantFrom<JsonLike>(null, true, false, [], {}, [null], { id: null }, ['narrator'], { id: 'narrator' }) },
    { weight: 1, arbitrary: longString(1, maxStringLength) },
    { weight: 1, arbitrary: deepNest },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<JsonLike> },
  );
}

/** The JSON type of a value, as a field's schema sees it. */
export function jsonType(value: JsonLike): 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object' {
  if (value === null) return 'null';
  if (value instanceof RawJson) return value.type;
  if (Array.isArray(value)) return 'array';
  switch (typeof value) {
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isFinite(value) ? 'number' : 'null';
    case 'string':
      return 'string';
    default:
      return 'object';
  }
}

/**
 * Percent-encodes every byte outside the unreserved set. A lone surrogate, which `encodeURIComponent` refuses,
 * becomes its three WTF-8 bytes (`%ED%A0%80`), as a careless client would send it.
 */
export function percentEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i += 1) {
    const unit = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    let bytes: Uint8Array;
    if (unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      bytes = new TextEncoder().encode(text.slice(i, i + 2));
      i += 1;
    } else if (unit >= 0xd800 && unit <= 0xdfff) {
      bytes = new Uint8Array([0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]);
    } else {
      bytes = new TextEncoder().encode(text[i]);
    }
    for (const byte of bytes) out += /[A-Za-z0-9\-._~]/.test(String.fromCharCode(byte)) && byte < 0x80 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
