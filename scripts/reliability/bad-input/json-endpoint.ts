/**
 * Generated requests for an endpoint that takes a JSON object: one field of a valid body made wrong (type, bounds,
 * strings, numbers), a required field left out, an unknown field, duplicate keys, several fields wrong at once, and
 * the raw-body cases every JSON endpoint shares: malformed JSON, not an object, deep nesting, invalid UTF-8, a BOM,
 * wrong and missing content types, multipart and form bodies, an empty body, and bodies past the documented limit
 * (with a Content-Length, and chunked).
 * @module
 */
import fc from 'fast-check';
import { utf8, type BadRequest, type Expectation, type Target } from './cases.ts';
import type { Answer } from './http.ts';
import { jsonText, type JsonLike } from './json-text.ts';
import { anyValue, deepNest, jsonType, nastyString, percentEncode } from './values.ts';

export type JsonType = ReturnType<typeof jsonType>;
type JsonObject = Record<string, JsonLike>;

export interface FieldSpec {
  /** Dotted path, as the error envelope's `param` names it (`plan.max_concurrent`). */
  readonly path: string;
  readonly types: readonly JsonType[];
  readonly required: boolean;
}

export interface JsonEndpoint {
  readonly endpoint: string;
  readonly target: Target;
  readonly method: string;
  readonly path: string;
  /** Authorization and the like, sent with every case. */
  readonly headers: Readonly<Record<string, string>>;
  /** A valid body; `index` makes ids unique where the endpoint stores what it accepts. */
  readonly base: (index: number) => JsonObject;
  readonly fields: readonly FieldSpec[];
  /** The documented body limit; the oversized cases go past it. */
  readonly maxBodyBytes: number;
  /** Whether the endpoint refuses a body sent as another media type (415); the GPU routes read any body as JSON. */
  readonly checksContentType: boolean;
  readonly sign?: boolean;
  /** Where a string field may be huge without the body passing its limit. */
  readonly maxStringLength: number;
  /** More cases, special to the endpoint (languages for synthesis, audio for uploads). */
  readonly extra?: fc.Arbitrary<CaseMaker>;
  /** A check of accepted answers (audio not empty). */
  readonly verify?: (answer: Answer) => string | null;
}

/** A generated case, made concrete for the `index`-th request. */
export type CaseMaker = (index: number) => BadRequest;

const JSON_TYPE = 'application/json';

export function jsonCases(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  const arbitraries: { weight: number; arbitrary: fc.Arbitrary<CaseMaker> }[] = [
    { weight: 30, arbitrary: wrongField(spec) },
    { weight: 4, arbitrary: missingField(spec) },
    { weight: 6, arbitrary: unknownField(spec) },
    { weight: 3, arbitrary: duplicateKey(spec) },
    { weight: 4, arbitrary: severalWrong(spec) },
    { weight: 8, arbitrary: malformedJson(spec) },
    { weight: 3, arbitrary: notAnObject(spec) },
    { weight: 2, arbitrary: deepBody(spec) },
    { weight: 2, arbitrary: invalidUtf8(spec) },
    { weight: 1, arbitrary: bomAndPadding(spec) },
    { weight: 6, arbitrary: contentTypes(spec) },
    { weight: 2, arbitrary: formBodies(spec) },
    { weight: 1, arbitrary: emptyBody(spec) },
    { weight: 1, arbitrary: oversized(spec) },
  ];
  if (spec.extra !== undefined) arbitraries.push({ weight: 4, arbitrary: spec.extra });
  return fc.oneof(...arbitraries);
}

export function request(spec: JsonEndpoint, kind: string, body: Uint8Array | undefined, expect: Expectation, headers: Readonly<Record<string, string>> = { 'content-type': JSON_TYPE }): BadRequest {
  return {
    endpoint: spec.endpoint,
    kind,
    target: spec.target,
    method: spec.method,
    path: spec.path,
    headers: { ...spec.headers, ...headers },
    ...(body === undefined ? {} : { body }),
    ...(spec.sign === true ? { sign: true } : {}),
    expect,
    ...(spec.verify === undefined ? {} : { verify: spec.verify }),
  };
}

function setAt(object: JsonObject, path: string, value: JsonLike | undefined): JsonObject {
  const [head = '', ...rest] = path.split('.');
  const copy: JsonObject = { ...object };
  if (rest.length === 0) {
    if (value === undefined) Reflect.deleteProperty(copy, head);
    else copy[head] = value;
    return copy;
  }
  const inner = copy[head];
  copy[head] = setAt(inner !== null && typeof inner === 'object' && !Array.isArray(inner) ? (inner as JsonObject) : {}, rest.join('.'), value);
  return copy;
}

function body(value: JsonLike): Uint8Array {
  return utf8.encode(jsonText(value));
}

function wrongField(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  return fc.tuple(fc.constantFrom(...spec.fields), anyValue(spec.maxStringLength)).map(([field, value]) => (index: number) => {
    const rejected = !field.types.includes(jsonType(value));
    return request(spec, rejected ? `wrong type: ${field.path}` : `odd value: ${field.path}`, body(setAt(spec.base(index), field.path, value)), { reject: rejected, field: field.path });
  });
}

function missingField(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  const required = spec.fields.filter((field) => field.required);
  return fc.constantFrom(...required).map((field) => (index: number) => request(spec, 'missing field', body(setAt(spec.base(index), field.path, undefined)), { reject: true, field: field.path }));
}

const UNKNOWN_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', 'instructions', 'temprature', 'ref_audio_path', 'prompt_text', 'Text', 'text ', 'voice\u0000', '', ' ', 'a.b', '🙂'];

function unknownField(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  const objects = ['', ...new Set(spec.fields.filter((field) => field.types.includes('object') && !field.path.includes('.') && spec.fields.some((inner) => inner.path.startsWith(`${field.path}.`))).map((field) => field.path))];
  return fc.tuple(fc.constantFrom(...objects), fc.oneof(fc.constantFrom(...UNKNOWN_NAMES), fc.string({ maxLength: 24 })), fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonLike>)
    .filter(([parent, name]) => !spec.fields.some((field) => field.path === (parent === '' ? name : `${parent}.${name}`)))
    .map(([parent, name, value]) => (index: number) => {
      const base = spec.base(index);
      const holder = parent === '' ? base : (base[parent] as JsonObject);
      // Written as text: a `__proto__` key set through an object literal would not be an own property.
      // Function replacers: a generated name may hold `$&`, which a replacement string would expand.
      const inner = jsonText(holder).replace(/^\{/, () => `{${JSON.stringify(name)}:${jsonText(value)},`);
      const text = parent === '' ? inner : jsonText(setAt(base, parent, {})).replace(`${JSON.stringify(parent)}:{}`, () => `${JSON.stringify(parent)}:${inner}`);
      return request(spec, 'unknown field', utf8.encode(text), { reject: true, field: parent === '' ? name : `${parent}.${name}` });
    });
}

function duplicateKey(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  const topLevel = spec.fields.filter((field) => !field.path.includes('.'));
  return fc.tuple(fc.constantFrom(...topLevel), anyValue(64)).map(([field, value]) => (index: number) => {
    const base = spec.base(index);
    // The last of two equal keys wins in JSON.parse: the body is valid up to that second, wrong value.
    const text = jsonText(base).replace(/\}$/, () => `,${JSON.stringify(field.path)}:${jsonText(value)}}`);
    return request(spec, 'duplicate key', utf8.encode(text), { reject: !field.types.includes(jsonType(value)), field: field.path });
  });
}

function severalWrong(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  return fc.array(fc.tuple(fc.constantFrom(...spec.fields), anyValue(256)), { minLength: 2, maxLength: 5 }).map((changes) => (index: number) => {
    let object = spec.base(index);
    for (const [field, value] of changes) object = setAt(object, field.path, value);
    // Only a change nothing later overwrote decides: the same field may be drawn twice, wrong and then right (the
    // suite once counted such a valid body's 201 as a failure), and a later change above or below it replaces it.
    const touches = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || b.startsWith(`${a}.`);
    const rejected = changes.some(([field, value], at) => !field.types.includes(jsonType(value)) && !changes.slice(at + 1).some(([later]) => touches(later.path, field.path)));
    // Which field an answer names first is the schema's order; any of them will do, so none is required.
    return request(spec, 'several fields', body(object), { reject: rejected, field: null });
  });
}

const SYNTAX_ERRORS = ['{', '}', '{"', '{"a"', '{"a":', '{"a":}', '{,}', '{"a":1,}', '[1,]', "{'a':1}", '{a:1}', '{"a":NaN}', '{"a":Infinity}', '{"a":-Infinity}', '{"a":undefined}', '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":0x10}', '{"a":"\\x41"}', '{"a":"\\u12"}', '{"a":"line\nbreak"}', '{"a":1}/*c*/', '{"a":1}//', '{"a":1}{"b":2}', '{"a":1} x', 'nul', 'tru', '"unterminated', '\u0000', '{"a":"\\ud800"', ')]}\'\n{}'];

function malformedJson(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  const truncated = fc.integer({ min: 1, max: 1_000_000 }).map((cut) => (index: number) => {
    const text = jsonText(spec.base(index));
    return request(spec, 'malformed json', utf8.encode(text.slice(0, cut % text.length)), { reject: true, field: null, statuses: [400] });
  });
  const syntax = fc.constantFrom(...SYNTAX_ERRORS).map((text) => () => request(spec, 'malformed json', utf8.encode(text), { reject: true, field: null, statuses: [400] }));
  const garbage = fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => () => request(spec, 'malformed json', bytes, { reject: true, field: null }));
  const inserted = fc.tuple(fc.integer({ min: 0, max: 1_000_000 }), fc.constantFrom(',', ':', '"', '{', '}', '[', ']', '\\', 'x', ' ', '\u0000')).map(([at, char]) => (index: number) => {
    const text = jsonText(spec.base(index));
    const position = at % text.length;
    // Anything inserted may by chance still be JSON (a space): then only an answer in the envelope is asked for.
    return request(spec, 'malformed json', utf8.encode(`${text.slice(0, position)}${char}${text.slice(position)}`), { reject: false, field: null });
  });
  return fc.oneof(truncated, syntax, garbage, inserted);
}

function notAnObject(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  return fc.oneof(fc.constantFrom<JsonLike>(null, true, 0, -1, 'text', [], [{}], ''), nastyString, fc.array(fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<JsonLike>, { maxLength: 4 }))
    .map((value) => () => request(spec, 'not an object', body(value), { reject: true, field: null, statuses: [400] }));
}

function deepBody(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  const limit = Math.min(spec.maxBodyBytes - 64, 200_000);
  const whole = fc.tuple(fc.integer({ min: 100, max: Math.floor(limit / 2) }), fc.boolean()).map(([depth, arrays]) => () => {
    const text = arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(Math.floor(depth / 5))}1${'}'.repeat(Math.floor(depth / 5))}`;
    return request(spec, 'deep nesting', utf8.encode(text), { reject: true, field: null, statuses: [400] });
  });
  const inField = fc.tuple(fc.constantFrom(...spec.fields), deepNest).map(([field, value]) => (index: number) =>
    request(spec, 'deep nesting', body(setAt(spec.base(index), field.path, value)), { reject: !field.types.includes(jsonType(value)), field: field.path }),
  );
  return fc.oneof(whole, inField);
}

const BAD_UTF8 = [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xe2, 0x82], [0x80], [0xfe, 0xff]];

function invalidUtf8(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  const strings = spec.fields.filter((field) => field.types.includes('string') && !field.path.includes('.'));
  if (strings.length === 0) return fc.constant(() => request(spec, 'invalid utf-8', new Uint8Array([0xff, 0xfe]), { reject: true, field: null }));
  return fc.tuple(fc.constantFrom(...strings), fc.constantFrom(...BAD_UTF8)).map(([field, bytes]) => (index: number) => {
    const text = jsonText(setAt(spec.base(index), field.path, '\u0001MARK\u0001'));
    const [before = '', after = ''] = text.split('\\u0001MARK\\u0001');
    const raw = new Uint8Array([...utf8.encode(before), ...bytes, ...utf8.encode(after)]);
    // Decoders replace the bytes with U+FFFD (then the value may be fine) or refuse the body: both are right.
    return request(spec, 'invalid utf-8', raw, { reject: false, field: null });
  });
}

function bomAndPadding(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  return fc.tuple(fc.constantFrom('\ufeff', ' ', '\n\t\r ', '\u00a0', '\u2028'), fc.integer({ min: 1, max: 2000 })).map(([pad, count]) => (index: number) => {
    const padding = pad.repeat(count);
    return request(spec, 'bom or padding', utf8.encode(`${padding}${jsonText(spec.base(index))}${pad === '\ufeff' ? '' : padding}`), { reject: false, field: null });
  });
}

const NOT_JSON_TYPES = ['text/plain', 'text/plain; charset=utf-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', 'application/jsonx', 'application/json-patch', 'text/json', 'json', '*/*', 'application/*', 'audio/wav', 'image/png', 'application/javascript', 'application', '/', ';'];
const JSON_LIKE_TYPES = ['application/json; charset=utf-8', 'APPLICATION/JSON', 'application/vnd.api+json', 'application/json;', 'application/json ; charset=utf-16', 'application/json; boundary=x', 'application/problem+json', 'application/json\u00a0', ' '];

function contentTypes(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  const wrong = fc.constantFrom(...NOT_JSON_TYPES).map((type) => (index: number) =>
    request(spec, 'wrong content type', body(spec.base(index)), spec.checksContentType ? { reject: true, field: null, statuses: [415] } : { reject: false, field: null }, { 'content-type': type }),
  );
  const jsonish = fc.constantFrom(...JSON_LIKE_TYPES).map((type) => (index: number) => request(spec, 'json content type', body(spec.base(index)), { reject: false, field: null }, { 'content-type': type }));
  const none = fc.constant((index: number) => request(spec, 'no content type', body(spec.base(index)), { reject: false, field: null }, {}));
  return fc.oneof(wrong, jsonish, none);
}

function formBodies(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  const multipart = fc.tuple(fc.stringMatching(/^[A-Za-z0-9'()+_,-]{1,40}$/), fc.boolean(), fc.uint8Array({ maxLength: 2048 })).map(([boundary, closed, file]) => (index: number) => {
    const parts = Object.entries(spec.base(index)).map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${typeof value === 'string' ? value.slice(0, 200) : jsonText(value).slice(0, 200)}\r\n`);
    const filePart = `--${boundary}\r\nContent-Disposition: form-data; name="ref_audio"; filename="a.wav"\r\nContent-Type: audio/wav\r\n\r\n`;
    const raw = new Uint8Array([...utf8.encode(parts.join('') + filePart), ...file, ...utf8.encode(closed ? `\r\n--${boundary}--\r\n` : '\r\n--')]);
    return request(spec, 'multipart', raw, spec.checksContentType ? { reject: true, field: null, statuses: [415] } : { reject: true, field: null, statuses: [400] }, { 'content-type': `multipart/form-data; boundary=${boundary}` });
  });
  const form = fc.constant((index: number) => {
    const pairs = Object.entries(spec.base(index)).map(([name, value]) => `${percentEncode(name)}=${percentEncode(typeof value === 'string' ? value.slice(0, 200) : jsonText(value).slice(0, 200))}`);
    return request(spec, 'form body', utf8.encode(pairs.join('&')), spec.checksContentType ? { reject: true, field: null, statuses: [415] } : { reject: true, field: null, statuses: [400] }, { 'content-type': 'application/x-www-form-urlencoded' });
  });
  return fc.oneof(multipart, form);
}

function emptyBody(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  return fc.constantFrom<[string, Uint8Array | undefined]>(['no body', undefined], ['empty body', new Uint8Array(0)], ['blank body', utf8.encode('   \n')]).map(([kind, raw]) => () =>
    request(spec, kind, raw, { reject: true, field: null, statuses: [400] }),
  );
}

/** Past the documented limit: a 413 naming the limit, read no further than the limit (Content-Length or chunked). */
function oversized(spec: JsonEndpoint): fc.Arbitrary<CaseMaker> {
  return fc.tuple(fc.integer({ min: 1, max: Math.max(1, Math.floor(spec.maxBodyBytes / 4)) }), fc.boolean()).map(([over, chunked]) => (index: number) => {
    const base = jsonText(spec.base(index));
    const padding = ' '.repeat(spec.maxBodyBytes + over - utf8.encode(base).length);
    const raw = utf8.encode(`${base.slice(0, -1)}${padding}}`);
    const made = request(spec, chunked ? 'oversized (chunked)' : 'oversized', raw, { reject: true, field: null, statuses: [413] });
    return chunked ? { ...made, chunked: true } : made;
  });
}
