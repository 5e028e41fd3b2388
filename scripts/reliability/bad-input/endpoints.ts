/**
 * Every endpoint the suite fires at, each with its generator of bad requests: the gateway's public and admin routes
 * (with a valid key or the admin secret, so the input is what is tested) and a GPU function's own routes (signed,
 * so the body parser is what is hit).
 * @module
 */
import { AUDIO_FORMATS, idSchema, TEXT_LANGUAGES, TEXT_SPLIT_METHODS } from '@gsv-edge/shared';
import fc from 'fast-check';
import { badAudio, base64Variants } from './audio.ts';
import { utf8, type BadRequest, type Target } from './cases.ts';
import type { Answer } from './http.ts';
import { jsonCases, request, type CaseMaker, type FieldSpec, type JsonEndpoint } from './json-endpoint.ts';
import { jsonText, type JsonLike } from './json-text.ts';
import { nastyString, percentEncode } from './values.ts';

export interface EndpointContext {
  /** A valid API key's secret, with a generous plan. */
  readonly apiKey: string;
  readonly adminSecret: string;
  /** The current version of voice `narrator` (GPU jobs must name it). */
  readonly voiceVersion: string;
  /** A phrase in the cache, and its length in bytes (for Range requests). */
  readonly cachedKey: string;
  readonly cachedBytes: number;
  /** The gateway's synthesis body limit (MAX_INPUT_CHARS × 12 + 16 KiB) and text limit. */
  readonly maxSynthesisBodyBytes: number;
  readonly maxInputChars: number;
  /** The admin routes' limits (gateway/src/app.ts). */
  readonly maxAdminBodyBytes: number;
  readonly maxVoiceBodyBytes: number;
  /** The GPU function's body limits per route (its own, or the gateway's where it has none). */
  readonly gpuSynthesisBodyBytes: number;
  readonly gpuInspectBodyBytes: number;
  /** A short valid reference recording (WAV). */
  readonly referenceWav: Uint8Array;
  /** Distinguishes this run's ids from any other run's. */
  readonly runId: string;
}

export interface Endpoint {
  readonly name: string;
  readonly cases: fc.Arbitrary<CaseMaker>;
}

const str = (path: string, required = true): FieldSpec => ({ path, types: ['string'], required });
const num = (path: string, required = false): FieldSpec => ({ path, types: ['number'], required });
const bool = (path: string, required = false): FieldSpec => ({ path, types: ['boolean'], required });

/** Texts of every script GPT-SoVITS reads (and some it does not), mixed, with numbers, symbols and emoji. */
const textFragment = fc.oneof(
  fc.constantFrom('Hello there.', 'It costs $3.50, 20% off!', 'Dr. Smith lives at 221B.', 'I read 1,000,000 books in 2024.', "Don't stop", 'e.g. AI, GPU & TTS', 'HELLO', 'a', '...', '?!', '12:30', '3.14159', '1st 2nd 3rd', '−5 °C'),
  fc.constantFrom('你好，世界。', '今天是2024年1月1日。', '我有3.5公斤苹果', '重庆和重要', '一二三四五', '，。！？', '《书》', '银行行长', '百分之五十', '1998年'),
  fc.constantFrom('こんにちは。', 'カタカナ', '東京タワー', '食べました'),
  fc.constantFrom('안녕하세요.', '한국어 텍스트'),
  fc.constantFrom('你哋好嘢', '廣東話'),
  fc.constantFrom('مرحبا', 'שלום', 'Привет', 'Ελληνικά', 'हिन्दी', 'ไทย'),
  fc.constantFrom('🙂', '👩‍👩‍👧‍👦', '🇯🇵', '♪♫', '→', '©®™', '\u200b', 'e\u0301', 'ﬁ', 'Ｆｕｌｌ', '①②', '½'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 12 }),
  fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }),
);
const mixedText = fc.array(textFragment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' '));

function audioVerify(answer: Answer): string | null {
  return answer.bodyBytes > 44 ? null : `accepted with ${String(answer.bodyBytes)} bytes of audio`;
}

export function endpoints(ctx: EndpointContext): Endpoint[] {
  const keyHeaders = { authorization: `Bearer ${ctx.apiKey}` };
  const adminHeaders = { authorization: `Bearer ${ctx.adminSecret}` };

  const speech: JsonEndpoint = {
    endpoint: 'POST /v1/audio/speech',
    target: 'gateway',
    method: 'POST',
    path: '/v1/audio/speech',
    headers: keyHeaders,
    base: () => ({ model: 'gsv', input: 'Hi.', voice: 'narrator', response_format: 'wav' }),
    fields: [str('model'), str('input'), { path: 'voice', types: ['string', 'object'], required: true }, str('response_format', false), num('speed'), str('stream_format', false)],
    maxBodyBytes: ctx.maxSynthesisBodyBytes,
    maxStringLength: ctx.maxInputChars * 2,
    checksContentType: true,
    verify: audioVerify,
  };
  const speechExtra = fc.tuple(mixedText, fc.constantFrom(...AUDIO_FORMATS), fc.constantFrom('audio', 'sse')).map(([input, format, streamFormat]) => () =>
    request(speech, 'language mix', utf8.encode(jsonText({ model: 'gsv', input, voice: 'narrator', response_format: format, stream_format: streamFormat })), { reject: false, field: 'input' }),
  );

  const tts: JsonEndpoint = {
    endpoint: 'POST /v1/tts',
    target: 'gateway',
    method: 'POST',
    path: '/v1/tts',
    headers: keyHeaders,
    base: () => ({ text: 'Hi.', voice: 'narrator', text_lang: 'en', format: 'wav' }),
    fields: [
      str('text'), str('text_lang', false), str('voice'), num('top_k'), num('top_p'), num('temperature'), num('repetition_penalty'), num('seed'), num('speed'), num('speed_factor'),
      str('text_split_method', false), num('fragment_interval'), str('format', false), str('media_type', false), { path: 'stream', types: ['boolean', 'number'], required: false },
      { path: 'streaming_mode', types: ['boolean', 'number'], required: false }, num('min_chunk_length'), num('overlap_length'), num('batch_size'), num('batch_threshold'),
      bool('split_bucket'), bool('parallel_infer'), num('sample_steps'), bool('super_sampling'),
    ],
    maxBodyBytes: ctx.maxSynthesisBodyBytes,
    maxStringLength: ctx.maxInputChars * 2,
    checksContentType: true,
    verify: audioVerify,
  };
  const ttsExtra = fc.tuple(mixedText, fc.constantFrom(...TEXT_LANGUAGES), fc.constantFrom(...TEXT_SPLIT_METHODS), fc.constantFrom<JsonLike>(false, 1, 2, 3)).map(([text, textLang, split, stream]) => () =>
    request(tts, `language ${textLang}`, utf8.encode(jsonText({ text, voice: 'narrator', text_lang: textLang, text_split_method: split, format: 'wav', stream })), { reject: false, field: ['text', 'text_lang'] }),
  );

  const adminKeys: JsonEndpoint = {
    endpoint: 'POST /admin/keys',
    target: 'gateway',
    method: 'POST',
    path: '/admin/keys',
    headers: adminHeaders,
    base: () => ({ name: 'fuzz', plan: { requests_per_minute: 60, max_concurrent: 4, price_per_1k_chars_micros: 15_000, cache_hit_price_per_1k_chars_micros: 1500 } }),
    fields: [
      str('name', false), str('mode', false), { path: 'plan', types: ['object'], required: true }, { path: 'stripe_customer_id', types: ['string', 'null'], required: false },
      { path: 'account_id', types: ['string', 'null'], required: false }, { path: 'allowed_voices', types: ['array', 'null'], required: false },
      num('plan.requests_per_minute', true), num('plan.max_concurrent', true), { path: 'plan.monthly_character_quota', types: ['number', 'null'], required: false },
      num('plan.price_per_1k_chars_micros', true), num('plan.cache_hit_price_per_1k_chars_micros', true), str('plan.currency', false),
    ],
    maxBodyBytes: ctx.maxAdminBodyBytes,
    maxStringLength: 1000,
    checksContentType: true,
  };

  const voiceFields: FieldSpec[] = [str('id'), str('model'), str('prompt_text'), str('prompt_lang'), str('ref_audio'), { path: 'aux_ref_audio', types: ['array'], required: false }, str('description', false)];
  const voiceBase = (index: number): Record<string, JsonLike> => ({
    id: `fuzz-${ctx.runId}-${String(index)}`,
    model: 'tiny',
    prompt_text: 'This is how I sound.',
    prompt_lang: 'en',
    ref_audio: Buffer.from(ctx.referenceWav).toString('base64'),
  });
  const adminVoices: JsonEndpoint = {
    endpoint: 'POST /admin/voices',
    target: 'gateway',
    method: 'POST',
    path: '/admin/voices',
    headers: adminHeaders,
    base: voiceBase,
    fields: voiceFields,
    maxBodyBytes: ctx.maxVoiceBodyBytes,
    maxStringLength: 4000,
    checksContentType: true,
  };
  const gpuInspect: JsonEndpoint = { ...adminVoices, endpoint: 'POST /internal/v1/voices/inspect (gpu)', target: 'gpu', path: '/internal/v1/voices/inspect', headers: {}, sign: true, checksContentType: false, maxBodyBytes: ctx.gpuInspectBodyBytes };

  const paramsBase = { text: 'Hi.', text_lang: 'en', voice: 'narrator', top_k: 15, top_p: 1, temperature: 1, repetition_penalty: 1.35, seed: null, speed: 1, text_split_method: 'cut5', fragment_interval: 0.3, format: 'wav', chunking: { mode: 'segment' } };
  const gpuSynthesize: JsonEndpoint = {
    endpoint: 'POST /internal/v1/synthesize (gpu)',
    target: 'gpu',
    method: 'POST',
    path: '/internal/v1/synthesize',
    headers: {},
    sign: true,
    base: (index) => ({ request_id: `fuzz-${ctx.runId}-${String(index)}`, client_request_id: null, params: paramsBase, seed: 7, voice_version: ctx.voiceVersion, synthesis_key: null, stream: false }),
    fields: [
      str('request_id'), { path: 'client_request_id', types: ['string', 'null'], required: false }, { path: 'params', types: ['object'], required: true }, num('seed', true), str('voice_version'),
      { path: 'synthesis_key', types: ['string', 'null'], required: true }, bool('stream', true),
      str('params.text'), str('params.text_lang'), str('params.voice'), num('params.top_k', true), num('params.top_p', true), num('params.temperature', true), num('params.repetition_penalty', true),
      { path: 'params.seed', types: ['number', 'null'], required: true }, num('params.speed', true), str('params.text_split_method'), num('params.fragment_interval', true), str('params.format'),
      { path: 'params.chunking', types: ['object'], required: true }, num('params.sample_steps'),
    ],
    maxBodyBytes: ctx.gpuSynthesisBodyBytes,
    maxStringLength: 8000,
    checksContentType: false,
    verify: audioVerify,
  };

  return [
    { name: speech.endpoint, cases: jsonCases({ ...speech, extra: speechExtra }) },
    { name: tts.endpoint, cases: jsonCases({ ...tts, extra: ttsExtra }) },
    { name: 'GET /v1/audio/:key', cases: playbackCases(ctx, keyHeaders) },
    { name: 'GET /v1/voices', cases: getCases('GET /v1/voices', 'gateway', '/v1/voices', keyHeaders) },
    { name: 'GET /v1/usage', cases: getCases('GET /v1/usage', 'gateway', '/v1/usage', keyHeaders) },
    { name: 'POST /admin/keys', cases: fc.oneof({ weight: 4, arbitrary: jsonCases(adminKeys) }, { weight: 1, arbitrary: adminKeyPaths(adminHeaders) }) },
    { name: 'POST /admin/voices', cases: fc.oneof({ weight: 4, arbitrary: jsonCases({ ...adminVoices, extra: uploadCases(adminVoices, ctx) }) }, { weight: 1, arbitrary: adminVoicePaths(adminHeaders) }) },
    { name: 'GET /admin/usage', cases: usageCases(adminHeaders) },
    { name: gpuSynthesize.endpoint, cases: jsonCases(gpuSynthesize) },
    { name: gpuInspect.endpoint, cases: jsonCases({ ...gpuInspect, extra: uploadCases(gpuInspect, ctx) }) },
    { name: 'GET /internal/v1/models (gpu)', cases: fc.oneof(getCases('GET /internal/v1/models (gpu)', 'gpu', '/internal/v1/models', {}, true), badSignatures()) },
    { name: 'GET /ping, /healthz, /readyz, /metrics (gpu)', cases: fc.constantFrom('/ping', '/healthz', '/readyz', '/metrics').chain((path) => getCases('GET /ping, /healthz, /readyz, /metrics (gpu)', 'gpu', path, {})) },
  ];
}

/** Uploads whose recordings are not usable audio, or are base64 written wrong. */
function uploadCases(spec: JsonEndpoint, ctx: EndpointContext): fc.Arbitrary<CaseMaker> {
  const audio = fc.tuple(badAudio(ctx.referenceWav).chain((bytes) => base64Variants(bytes)), fc.boolean()).map(([encoded, aux]) => (index: number) => {
    const base = spec.base(index);
    const body = aux ? { ...base, aux_ref_audio: [base.ref_audio ?? '', encoded.text] } : { ...base, ref_audio: encoded.text };
    return request(spec, encoded.plain ? 'bad audio' : 'bad base64', utf8.encode(jsonText(body)), { reject: false, field: aux ? 'aux_ref_audio.1' : 'ref_audio' });
  });
  const languages = fc.tuple(fc.constantFrom(...TEXT_LANGUAGES), mixedText).map(([lang, text]) => (index: number) =>
    request(spec, 'prompt language', utf8.encode(jsonText({ ...spec.base(index), prompt_lang: lang, prompt_text: text })), { reject: false, field: ['prompt_text', 'prompt_lang'] }),
  );
  return fc.oneof({ weight: 4, arbitrary: audio }, { weight: 1, arbitrary: languages });
}

/** A path segment clients get wrong: empty, too long, other alphabets, escapes, traversal. */
const pathSegment = fc.oneof(
  fc.constantFrom('', '.', '..', '%2e%2e', '%2F', '%00', '%ZZ', '%', '%25', 'narrator%00', 'a'.repeat(70), 'x'.repeat(4000), 'NARRATOR', 'key_0000000000000000', 'key_zzzzzzzzzzzzzzzz', '0'.repeat(64), 'f'.repeat(63), 'F'.repeat(64), 'null', '-1', '1e308', '%F0%9F%99%82', '%ED%A0%80', '%C0%80'),
  nastyString.map((text) => percentEncode(text)),
  fc.stringMatching(/^[0-9a-f]{60,68}$/),
);

function isVoiceId(segment: string): boolean {
  try {
    return idSchema.safeParse(decodeURIComponent(segment)).success;
  } catch {
    return false;
  }
}

function isDotSegment(segment: string): boolean {
  return /^(\.|%2e){1,2}$/i.test(segment);
}

/** Any query string, its names and values escaped or not. */
const queryString = fc.oneof(
  fc.constantFrom('', '?', '?&&&', '?=', '?a', '?%', '?%zz=1', '?a=%ff%fe', `?${'a=1&'.repeat(500)}`, `?x=${'y'.repeat(6000)}`, '?__proto__=1', '?constructor[prototype]=1'),
  fc.array(fc.tuple(fc.string({ maxLength: 12 }), nastyString), { maxLength: 5 }).map((pairs) => `?${pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&')}`),
);

const ODD_HEADERS: readonly Readonly<Record<string, string>>[] = [
  {},
  { accept: 'application/xml' },
  { accept: '*/*;q=abc' },
  { 'accept-encoding': 'gzip;q=2, br, zstd, identity;q=0' },
  { 'content-type': 'application/json' },
  { 'content-type': 'multipart/form-data' },
  { range: 'bytes=0-10' },
  { 'if-none-match': '*' },
  { 'if-modified-since': 'yesterday' },
  { 'x-request-id': 'r'.repeat(4000) },
  { 'x-request-id': '' },
  { 'idempotency-key': 'k'.repeat(2000) },
  { origin: 'null' },
  { 'transfer-encoding': 'gzip' },
];

/** GETs (and other methods) with junk queries, bodies and headers on a route that takes no input. */
function getCases(endpoint: string, target: Target, path: string, headers: Readonly<Record<string, string>>, sign = false): fc.Arbitrary<CaseMaker> {
  return fc
    .tuple(queryString, fc.constantFrom(...ODD_HEADERS), fc.option(fc.uint8Array({ maxLength: 512 }), { freq: 4 }), fc.constantFrom('GET', 'GET', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'))
    .map(([query, odd, body, method]) => () => {
      const withBody = body !== null && method !== 'GET' && method !== 'HEAD';
      const made: BadRequest = {
        endpoint,
        kind: method === 'GET' || method === 'HEAD' ? 'query and headers' : `method ${method}`,
        target,
        method,
        path: `${path}${query}`,
        headers: { ...headers, ...(odd['transfer-encoding'] === undefined ? odd : {}) },
        ...(withBody ? { body } : {}),
        ...(sign ? { sign: true } : {}),
        expect: { reject: method !== 'GET' && method !== 'HEAD' && method !== 'OPTIONS', field: null },
      };
      return made;
    });
}

/** Unsigned, or signed wrong: a 401 in the envelope, whatever the headers hold. */
function badSignatures(): fc.Arbitrary<CaseMaker> {
  const header = fc.oneof(nastyString, fc.constantFrom('v1=', 'v1=zz', `v1=${'0'.repeat(64)}`, `v2=${'0'.repeat(64)}`, '9'.repeat(40), '-1', '1e308'));
  return fc.tuple(fc.option(header), fc.option(header), fc.option(header)).map(([timestamp, nonce, signature]) => () => ({
    endpoint: 'GET /internal/v1/models (gpu)',
    kind: 'bad signature',
    target: 'gpu' as const,
    method: 'GET',
    path: '/internal/v1/models',
    headers: headerSafe({ 'x-gsv-timestamp': timestamp, 'x-gsv-nonce': nonce, 'x-gsv-signature': signature }),
    expect: { reject: true, field: null, statuses: [401] },
  }));
}

/** Header values must be Latin-1 without CR/LF to be sent at all; others are dropped or escaped. */
function headerSafe(headers: Readonly<Record<string, string | null>>): Record<string, string> {
  const safe: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === null) continue;
    safe[name] = /^[\t\x20-\x7e\x80-\xff]*$/.test(value) ? value : percentEncode(value);
  }
  return safe;
}

/** `GET /v1/audio/{key}`: the key written wrong, and any Range header on a key that is cached. */
function playbackCases(ctx: EndpointContext, headers: Readonly<Record<string, string>>): fc.Arbitrary<CaseMaker> {
  const rangeNumber = fc.oneof(fc.nat({ max: ctx.cachedBytes * 2 }), fc.constantFrom(0, 1, ctx.cachedBytes - 1, ctx.cachedBytes, ctx.cachedBytes + 1, 2 ** 53, 2 ** 64), fc.bigInt({ min: 0n, max: 10n ** 30n }));
  const range = fc.oneof(
    fc.tuple(fc.option(rangeNumber), fc.option(rangeNumber)).map(([first, last]) => `bytes=${first === null ? '' : String(first)}-${last === null ? '' : String(last)}`),
    fc.constantFrom('bytes=', 'bytes=-', 'bytes=--1', 'bytes=-0', 'bytes=0-0,5-6', 'bytes=0-0, -1', 'bytes=1-0', 'bytes= 0-1', 'bytes=0x10-20', 'bytes=1e3-', 'bytes=-1e3', 'bytes=+1-2', 'bytes=0-1;', 'items=0-1', 'Bytes=0-1', 'bytes 0-1', 'bytes=0-1\t', `bytes=${'9'.repeat(400)}-`, `bytes=${'0-1,'.repeat(200)}0-1`, '', ' ', '*', 'bytes=0-1/100', 'bytes=\u00ff-1'),
    nastyString.map((text) => headerSafe({ r: text }).r ?? ''),
  );
  const cached = fc.tuple(fc.option(range, { freq: 6 }), fc.option(fc.constantFrom('bytes=0-0', 'bytes=-1'))).map(([header, ifRange]) => () => {
    const made: BadRequest = {
      endpoint: 'GET /v1/audio/:key',
      kind: header === null ? 'cached, no range' : 'cached, range',
      target: 'gateway',
      method: 'GET',
      path: `/v1/audio/${ctx.cachedKey}`,
      headers: { ...headers, ...(header === null ? {} : { range: header }), ...(ifRange === null ? {} : { 'if-range': ifRange }) },
      expect: { reject: false, field: null, statuses: [200, 206] },
      verify: (answer) => checkRange(answer, ctx.cachedBytes),
    };
    return made;
  });
  const wrongKey = fc.tuple(pathSegment, fc.option(range)).map(([segment, header]) => () => {
    // A dot segment is resolved away (`/v1/audio/..` is `/v1`): another route answers, rightly.
    const made: BadRequest = {
      endpoint: 'GET /v1/audio/:key',
      kind: 'key written wrong',
      target: 'gateway',
      method: 'GET',
      path: `/v1/audio/${segment}`,
      headers: { ...headers, ...(header === null ? {} : { range: header }) },
      expect: { reject: !isDotSegment(segment), field: null },
    };
    return made;
  });
  return fc.oneof(cached, wrongKey);
}

/** A 200 is the whole phrase; a 206 is exactly the range its Content-Range names. */
function checkRange(answer: Answer, size: number): string | null {
  if (answer.status === 200) return answer.bodyBytes === size ? null : `200 with ${String(answer.bodyBytes)} of ${String(size)} bytes`;
  if (answer.status !== 206) return `status ${String(answer.status)} for a cached phrase`;
  const match = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(answer.headers['content-range'] ?? '');
  if (match === null) return `206 with Content-Range ${JSON.stringify(answer.headers['content-range'])}`;
  const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (total !== size || start > end || end >= size) return `206 with impossible Content-Range ${match[0]}`;
  return answer.bodyBytes === end - start + 1 ? null : `206 ${match[0]} with ${String(answer.bodyBytes)} bytes`;
}

/** `/admin/keys/{id}`, its revoke and usage, with ids written wrong. */
function adminKeyPaths(headers: Readonly<Record<string, string>>): fc.Arbitrary<CaseMaker> {
  return fc.tuple(pathSegment, fc.constantFrom(['GET', ''], ['POST', '/revoke'], ['GET', '/usage'], ['DELETE', ''], ['GET', '?include_revoked=']), nastyString).map(([segment, [method, suffix], value]) => () => {
    const listing = suffix.startsWith('?');
    const made: BadRequest = {
      endpoint: 'POST /admin/keys',
      kind: listing ? 'list query' : `${method} /admin/keys/:id${suffix}`,
      target: 'gateway',
      method,
      path: listing ? `/admin/keys${suffix}${percentEncode(value)}` : `/admin/keys/${segment}${suffix}`,
      headers,
      expect: { reject: !listing && !isDotSegment(segment), field: null },
    };
    return made;
  });
}

/** `DELETE /admin/voices/{id}` with ids written wrong (never the suite's own voices), and the list with junk. */
function adminVoicePaths(headers: Readonly<Record<string, string>>): fc.Arbitrary<CaseMaker> {
  return fc.tuple(pathSegment.filter((segment) => segment !== 'narrator' && segment !== 'reader'), fc.boolean(), queryString).map(([segment, remove, query]) => () => {
    const made: BadRequest = {
      endpoint: 'POST /admin/voices',
      kind: remove ? 'DELETE /admin/voices/:id' : 'list query',
      target: 'gateway',
      method: remove ? 'DELETE' : 'GET',
      path: remove ? `/admin/voices/${segment}` : `/admin/voices${query}`,
      headers,
      // An id written rightly may name a voice a generated upload created (`null` did): deleting it is right then.
      expect: { reject: remove && !isDotSegment(segment) && !isVoiceId(segment), field: null },
    };
    return made;
  });
}

const USAGE_PARAMS = ['from', 'to', 'key_id', 'format', 'limit', 'cursor'] as const;
const usageValue = fc.oneof(
  fc.constantFrom('2026-01-01', '2026-02-30', '2026-13-01', '0000-01-01', '9999-12-31', '+275760-09-13', '-000001-01-01', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00+99:99', '2026-01-01T24:00:00Z', '2026-01-01T00:00:60Z', '2026-01-01T00:00:00.123456789Z', '1970-01-01', 'now', ''),
  fc.constantFrom('json', 'csv', 'stripe', 'JSON', 'xml', 'key_0000000000000000', 'key_', `key_${'f'.repeat(16)}`, '0', '-1', '1e308', '10000', '10001', '1.5', '0x10', ' 5', 'Infinity', 'NaN'),
  fc.constantFrom('0:', '1:x', `${'9'.repeat(400)}:x`, '99999999999999999999:', '-1:x', ':', '1:', `1:${'x'.repeat(290)}`, '1:\u0000', '1:%'),
  nastyString,
  fc.integer().map(String),
  fc.date({ noInvalidDate: false }).map((date) => (Number.isNaN(date.getTime()) ? 'Invalid Date' : date.toISOString())),
);

/** `/admin/usage` and its events and Stripe push, with every query parameter written wrong. */
function usageCases(headers: Readonly<Record<string, string>>): fc.Arbitrary<CaseMaker> {
  const params = fc.array(fc.tuple(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...USAGE_PARAMS) }, { weight: 1, arbitrary: fc.string({ maxLength: 10 }) }), usageValue), { minLength: 1, maxLength: 4 });
  return fc.tuple(params, fc.constantFrom(['GET', '/admin/usage'], ['GET', '/admin/usage/events'], ['POST', '/admin/usage/stripe-sync'])).map(([pairs, [method, path]]) => () => {
    const query = pairs.map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
    const named = pairs.length === 1 ? (pairs[0]?.[0] ?? null) : null;
    const made: BadRequest = {
      endpoint: 'GET /admin/usage',
      kind: `${method} ${path}`,
      target: 'gateway',
      method,
      path: `${path}?${query}`,
      headers,
      // One parameter: a 4xx names it. Several: any may be at fault. The Stripe push is off here (no
      // STRIPE_SECRET_KEY): past a valid query it answers 404, about no parameter.
      expect: { reject: false, field: path.endsWith('stripe-sync') ? null : named },
    };
    return made;
  });
}

export { utf8 };
