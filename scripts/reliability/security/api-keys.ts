/**
 * Attacks on the API keys of the public routes: keys minted to look real (right prefix, length and even checksum),
 * revoked keys (plainly, in a race with the revocation, while a request of the key is in flight, and on the phrase
 * cache's hit path), mistyped keys (cut, case-changed, spaced, another scheme, the other mode, the key's id) and no
 * key at all. A control key is accepted before and after, so a refusal is never the stack being down.
 * @module
 */
import type { CreatedApiKey } from '@gsv-edge/shared';
import fc from 'fast-check';
import { checksum, generateKey } from '../../../gateway/src/services/key-format.ts';
import type { SuiteReport } from '../report.ts';
import { ADMIN_SECRET, type ReliabilityStack } from '../stack.ts';
import { attack, AttackTally, inParallel, send, type Outcome, type Probe, type Refusals } from './probe.ts';

const KEY_REFUSALS = { 401: ['missing_api_key', 'malformed_api_key', 'invalid_api_key'] } as const;
/** Well-formed unknown keys count against their address; past 20 a minute the address is refused before lookup. */
const UNKNOWN_KEY_REFUSALS: Refusals = { ...KEY_REFUSALS, 429: ['rate_limit_exceeded'] };
/** A revoked key is documented as 403 `revoked_api_key` (docs/contract.md), distinct from an unknown one. */
const REVOKED_REFUSALS: Refusals = { ...KEY_REFUSALS, 403: ['revoked_api_key'] };
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/**
 * Where the unknown-key attacks come from. `wrangler dev` takes CF-Connecting-IP from the client (Cloudflare's edge
 * sets it), so the attacker is another address than the suite's own: once it is blocked for sending too many unknown
 * keys, the control key, sent from the suite's address, must still pass.
 */
const ATTACKER: [string, string] = ['cf-connecting-ip', '198.51.100.7'];
const CONCURRENCY = 4;

function json(body: unknown): string {
  return JSON.stringify(body);
}

/** The public routes a key opens, each as it would be called with `authorization` (or none). */
function publicRoutes(voice: string, text: string): ((authorization: readonly (readonly [string, string])[]) => Probe)[] {
  const post = (path: string, body: string) => (headers: readonly (readonly [string, string])[]) => ({ method: 'POST', path, headers: [...headers, ['content-type', 'application/json']] as const, body });
  return [
    (headers) => ({ method: 'GET', path: '/v1/usage', headers }),
    (headers) => ({ method: 'GET', path: '/v1/voices', headers }),
    post('/v1/tts', json({ text, voice, text_lang: 'en' })),
    post('/v1/audio/speech', json({ model: 'gsv', voice, input: text, response_format: 'wav' })),
  ];
}

function bearer(token: string): [string, string][] {
  return [['authorization', `Bearer ${token}`]];
}

async function revoke(stack: ReliabilityStack, id: string): Promise<void> {
  const answer = await send(stack.gateway.url, { method: 'POST', path: `/admin/keys/${id}/revoke`, headers: Object.entries(stack.adminHeaders), body: '{}' });
  if (answer.status !== 200) throw new Error(`revoking ${id} answered ${String(answer.status)} ${answer.text.slice(0, 200)}`);
}

/** The key's random body with one character changed, and the checksum made right again: well formed, unknown. */
async function neighbourKey(secret: string, position: number, replacement: string): Promise<string> {
  const prefix = secret.slice(0, 8);
  const random = secret.slice(8, 40).split('');
  const index = position % random.length;
  random[index] = replacement === random[index] ? (BASE62[(BASE62.indexOf(replacement) + 1) % 62] ?? '0') : replacement;
  const body = `${prefix}${random.join('')}`;
  return `${body}${await checksum(body)}`;
}

export interface KeyOptions {
  readonly variants: number;
  readonly seed: number;
}

export async function apiKeyAttacks(report: SuiteReport, stack: ReliabilityStack, options: KeyOptions): Promise<void> {
  const voice = stack.voices[0] ?? 'narrator';
  const routes = publicRoutes(voice, 'A key check.');
  const control = await stack.createKey('security-control');
  const controlAccepted = async (): Promise<boolean> => (await send(stack.gateway.url, routes[0]?.(bearer(control.secret)) ?? { method: 'GET', path: '/v1/usage' })).status === 200;
  report.check('api keys: a valid key is accepted (control, before)', await controlAccepted(), 'GET /v1/usage with a fresh key');

  await revokedKeys(report, stack, routes, options);
  await mistypedKeys(report, stack, routes, control, options);
  await missingKeys(report, stack, routes);
  await mintedKeys(report, stack, routes, control, options);

  report.check('api keys: a valid key is still accepted (control, after)', await controlAccepted(), 'GET /v1/usage with the control key');
}

async function revokedKeys(report: SuiteReport, stack: ReliabilityStack, routes: ReturnType<typeof publicRoutes>, options: KeyOptions): Promise<void> {
  const base = stack.gateway.url;
  const rounds = Math.max(1, Math.round(options.variants / 40));

  // Plain: used (so cached in the isolate and in KV), revoked, used again on every route.
  const plain = new AttackTally('api keys: revoked keys (cached in the isolate and KV when revoked)', REVOKED_REFUSALS);
  for (let round = 0; round < rounds; round += 1) {
    const key = await stack.createKey(`security-revoked-${String(round)}`);
    for (const route of routes.slice(0, 2)) await send(base, route(bearer(key.secret)));
    await revoke(stack, key.id);
    await inParallel([...routes, ...routes], CONCURRENCY, async (route, index) => {
      await attack(plain, base, `revoked key, ${route([]).path} #${String(index)}`, route(bearer(key.secret)));
    });
  }
  plain.report(report, 'keys.revoked');

  // Racing the revocation: requests sent continuously while the key is revoked; every one sent after the revocation
  // answered must be refused (those sent before may pass: they were admitted first).
  const race = new AttackTally('api keys: revoked keys, requests sent right after the revocation returned', REVOKED_REFUSALS);
  let passedBeforeRevocation = 0;
  for (let round = 0; round < rounds; round += 1) {
    const key = await stack.createKey(`security-race-${String(round)}`);
    let revokedAt = Number.POSITIVE_INFINITY;
    const stopAt = { value: Number.POSITIVE_INFINITY };
    const workers = Array.from({ length: CONCURRENCY }, async (_, worker) => {
      for (let sent = 0; sent < 400 && Date.now() < stopAt.value; sent += 1) {
        const route = routes[(worker + sent) % 2];
        if (route === undefined) break;
        const sentAt = performance.now();
        const outcome = await send(base, route(bearer(key.secret)));
        if (sentAt > revokedAt) race.record(`sent ${(sentAt - revokedAt).toFixed(1)} ms after the revocation`, outcome);
        else if (outcome.status === 200) passedBeforeRevocation += 1;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 150));
    await revoke(stack, key.id);
    revokedAt = performance.now();
    stopAt.value = Date.now() + 400;
    await Promise.all(workers);
  }
  report.figure('keys.race_passed_before_revocation', passedBeforeRevocation);
  race.report(report, 'keys.revoked_race');

  // In flight: a long streamed synthesis is under way when its key is revoked. It may finish (it was admitted and is
  // billed); nothing the key sends afterwards may pass.
  const inFlight = new AttackTally('api keys: revoked while one of its requests is in flight', REVOKED_REFUSALS);
  const key = await stack.createKey('security-in-flight');
  const longText = Array.from({ length: 20 }, () => 'Keep talking.').join(' ');
  const controller = new AbortController();
  const streaming = await fetch(`${base}/v1/tts`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
    body: json({ text: longText, voice: stack.voices[0] ?? 'narrator', text_lang: 'en', stream: true, format: 'pcm', seed: -1 }),
    signal: controller.signal,
  });
  const reader = (streaming.body as ReadableStream<Uint8Array> | null)?.getReader();
  const first = await reader?.read();
  const streamingWhenRevoked = streaming.status === 200 && first !== undefined && !first.done;
  await revoke(stack, key.id);
  for (const [index, route] of [...routes, ...routes].entries()) await attack(inFlight, base, `while in flight, ${route([]).path} #${String(index)}`, route(bearer(key.secret)));
  // Whether the admitted request may run on is not what is checked here; it is stopped so the suite stays short.
  const inFlightBytes = first?.value?.length ?? 0;
  controller.abort();
  await reader?.cancel().catch(() => undefined);
  report.check('api keys: the in-flight request was streaming when its key was revoked (precondition)', streamingWhenRevoked, `status ${String(streaming.status)}`);
  report.figure('keys.in_flight_first_chunk_bytes', inFlightBytes);
  inFlight.report(report, 'keys.revoked_in_flight');

  // The phrase cache's hit path: a phrase the key made (and hit) is not served to it once it is revoked, neither by
  // synthesis nor by playback of its synthesis key.
  const cached = new AttackTally('api keys: revoked keys on the phrase-cache hit path (synthesis and playback)', REVOKED_REFUSALS);
  const cachedKey = await stack.createKey('security-cache-hit');
  const phrase = { text: 'Cached before the revocation.', voice: stack.voices[0] ?? 'narrator', text_lang: 'en' };
  const miss = await send(base, { method: 'POST', path: '/v1/tts', headers: [...bearer(cachedKey.secret), ['content-type', 'application/json']], body: json(phrase) });
  const hit = await send(base, { method: 'POST', path: '/v1/tts', headers: [...bearer(cachedKey.secret), ['content-type', 'application/json']], body: json(phrase) });
  const synthesisKey = String(hit.headers['x-gsv-synthesis-key'] ?? '');
  report.check(
    'api keys: the phrase was served from the cache before the revocation (precondition)',
    miss.status === 200 && hit.status === 200 && hit.headers['x-cache'] === 'HIT' && synthesisKey !== '',
    `first ${String(miss.status)} ${String(miss.headers['x-cache'])}, second ${String(hit.status)} ${String(hit.headers['x-cache'])}`,
  );
  await revoke(stack, cachedKey.id);
  for (let index = 0; index < 4; index += 1) {
    await attack(cached, base, `cached phrase #${String(index)}`, { method: 'POST', path: '/v1/tts', headers: [...bearer(cachedKey.secret), ['content-type', 'application/json']], body: json(phrase) });
    await attack(cached, base, `playback #${String(index)}`, { method: 'GET', path: `/v1/audio/${synthesisKey}`, headers: bearer(cachedKey.secret) });
  }
  cached.report(report, 'keys.revoked_cache_hit');
}

type Mistype =
  | { readonly kind: 'cut-end'; readonly chars: number }
  | { readonly kind: 'cut-start'; readonly chars: number }
  | { readonly kind: 'case-toggled'; readonly positions: readonly number[] }
  | { readonly kind: 'whole-case'; readonly upper: boolean }
  | { readonly kind: 'space-inside'; readonly position: number; readonly space: string }
  | { readonly kind: 'substituted'; readonly position: number; readonly character: string }
  | { readonly kind: 'appended'; readonly extra: string }
  | { readonly kind: 'other-mode'; readonly checksumFixed: boolean }
  | { readonly kind: 'neighbour'; readonly position: number; readonly character: string }
  | { readonly kind: 'scheme'; readonly scheme: string }
  | { readonly kind: 'other-header'; readonly name: string }
  | { readonly kind: 'key-id' }
  | { readonly kind: 'admin-secret' };

const base62Char = fc.constantFrom(...BASE62.split(''));

const mistypeArbitrary: fc.Arbitrary<Mistype> = fc.oneof(
  fc.integer({ min: 1, max: 45 }).map((chars) => ({ kind: 'cut-end' as const, chars })),
  fc.integer({ min: 1, max: 12 }).map((chars) => ({ kind: 'cut-start' as const, chars })),
  fc.uniqueArray(fc.integer({ min: 8, max: 45 }), { minLength: 1, maxLength: 5 }).map((positions) => ({ kind: 'case-toggled' as const, positions })),
  fc.boolean().map((upper) => ({ kind: 'whole-case' as const, upper })),
  fc.record({ position: fc.integer({ min: 1, max: 45 }), space: fc.constantFrom(' ', '\t', '  ') }).map((fault) => ({ kind: 'space-inside' as const, ...fault })),
  fc.record({ position: fc.integer({ min: 8, max: 45 }), character: base62Char }).map((fault) => ({ kind: 'substituted' as const, ...fault })),
  fc.stringMatching(/^[0-9A-Za-z_]{1,6}$/).map((extra) => ({ kind: 'appended' as const, extra })),
  fc.boolean().map((checksumFixed) => ({ kind: 'other-mode' as const, checksumFixed })),
  fc.record({ position: fc.integer({ min: 0, max: 31 }), character: base62Char }).map((fault) => ({ kind: 'neighbour' as const, ...fault })),
  fc.constantFrom('Basic', 'Token', 'ApiKey', 'Bearer:', 'Digest', 'Bearer Bearer', '').map((scheme) => ({ kind: 'scheme' as const, scheme })),
  fc.constantFrom('x-api-key', 'api-key', 'x-authorization', 'proxy-authorization').map((name) => ({ kind: 'other-header' as const, name })),
  fc.constant({ kind: 'key-id' as const }),
  fc.constant({ kind: 'admin-secret' as const }),
);

async function mistypedHeaders(key: CreatedApiKey, mistype: Mistype): Promise<[string, string][]> {
  const secret = key.secret;
  const toggle = (character: string) => (character === character.toUpperCase() ? character.toLowerCase() : character.toUpperCase());
  switch (mistype.kind) {
    case 'cut-end':
      return bearer(secret.slice(0, secret.length - mistype.chars));
    case 'cut-start':
      return bearer(secret.slice(mistype.chars));
    case 'case-toggled': {
      const characters = secret.split('');
      for (const position of mistype.positions) characters[position] = toggle(characters[position] ?? '');
      const toggled = characters.join('');
      // A key of digits only at those positions would come out unchanged: change the checksum's last character too.
      return bearer(toggled === secret ? `${secret.slice(0, -1)}${secret.endsWith('0') ? '1' : '0'}` : toggled);
    }
    case 'whole-case':
      return bearer(mistype.upper ? secret.toUpperCase() : secret.toLowerCase());
    case 'space-inside':
      return bearer(`${secret.slice(0, mistype.position)}${mistype.space}${secret.slice(mistype.position)}`);
    case 'substituted': {
      const current = secret[mistype.position] ?? '';
      const character = mistype.character === current ? (BASE62[(BASE62.indexOf(current) + 1) % 62] ?? '0') : mistype.character;
      return bearer(`${secret.slice(0, mistype.position)}${character}${secret.slice(mistype.position + 1)}`);
    }
    case 'appended':
      return bearer(`${secret}${mistype.extra}`);
    case 'other-mode': {
      const other = secret.startsWith('sk_live_') ? `sk_test_${secret.slice(8)}` : `sk_live_${secret.slice(8)}`;
      return bearer(mistype.checksumFixed ? `${other.slice(0, 40)}${await checksum(other.slice(0, 40))}` : other);
    }
    case 'neighbour':
      return bearer(await neighbourKey(secret, mistype.position, mistype.character));
    case 'scheme':
      if (mistype.scheme === 'Basic') return [['authorization', `Basic ${Buffer.from(`${secret}:`).toString('base64')}`]];
      return [['authorization', mistype.scheme === '' ? secret : `${mistype.scheme} ${secret}`]];
    case 'other-header':
      return [[mistype.name, secret]];
    case 'key-id':
      return bearer(key.id);
    case 'admin-secret':
      return bearer(ADMIN_SECRET);
  }
}

async function mistypedKeys(report: SuiteReport, stack: ReliabilityStack, routes: ReturnType<typeof publicRoutes>, control: CreatedApiKey, options: KeyOptions): Promise<void> {
  const tally = new AttackTally('api keys: mistyped (cut, case-changed, spaced, substituted, other mode or scheme, the key id)', UNKNOWN_KEY_REFUSALS);
  const variants = fc.sample(fc.tuple(fc.integer({ min: 0, max: routes.length - 1 }), mistypeArbitrary), { numRuns: options.variants, seed: options.seed + 500 });
  await inParallel(variants, CONCURRENCY, async ([routeIndex, mistype]) => {
    const route = routes[routeIndex];
    if (route === undefined) return;
    const probe = route([...(await mistypedHeaders(control, mistype)), ATTACKER]);
    await attack(tally, stack.gateway.url, `${probe.method} ${probe.path} ${JSON.stringify(mistype)}`, probe);
  });
  tally.report(report, 'keys.mistyped');
}

async function missingKeys(report: SuiteReport, stack: ReliabilityStack, routes: ReturnType<typeof publicRoutes>): Promise<void> {
  const tally = new AttackTally('api keys: missing or empty Authorization', KEY_REFUSALS);
  const headerSets: [string, string][][] = [[], [['authorization', '']], [['authorization', 'Bearer']], [['authorization', 'Bearer ']], [['authorization', 'Bearer  ']], [['cookie', 'authorization=x']]];
  for (const route of routes) {
    for (const headers of headerSets) await attack(tally, stack.gateway.url, `${route([]).path} ${JSON.stringify(headers)}`, route(headers));
  }
  tally.report(report, 'keys.missing');
}

async function mintedKeys(report: SuiteReport, stack: ReliabilityStack, routes: ReturnType<typeof publicRoutes>, control: CreatedApiKey, options: KeyOptions): Promise<void> {
  const tally = new AttackTally('api keys: minted (right prefix and length; random or right checksum; a real key\'s neighbours)', UNKNOWN_KEY_REFUSALS);
  type Minted = { readonly kind: 'random-checksum'; readonly key: string } | { readonly kind: 'valid-checksum'; readonly test: boolean } | { readonly kind: 'neighbour'; readonly position: number; readonly character: string };
  const mintedArbitrary: fc.Arbitrary<Minted> = fc.oneof(
    fc.tuple(fc.constantFrom('sk_live_', 'sk_test_'), fc.stringMatching(/^[0-9A-Za-z]{38}$/)).map(([prefix, rest]) => ({ kind: 'random-checksum' as const, key: `${prefix}${rest}` })),
    fc.boolean().map((test) => ({ kind: 'valid-checksum' as const, test })),
    fc.record({ position: fc.integer({ min: 0, max: 31 }), character: base62Char }).map((fault) => ({ kind: 'neighbour' as const, ...fault })),
  );
  const variants = fc.sample(fc.tuple(fc.integer({ min: 0, max: routes.length - 1 }), mintedArbitrary), { numRuns: options.variants, seed: options.seed + 600 });
  let throttled = 0;
  await inParallel(variants, CONCURRENCY, async ([routeIndex, minted]) => {
    const route = routes[routeIndex];
    if (route === undefined) return;
    const key =
      minted.kind === 'random-checksum' ? minted.key : minted.kind === 'valid-checksum' ? await generateKey(minted.test ? 'test' : 'live') : await neighbourKey(control.secret, minted.position, minted.character);
    const outcome: Outcome | null = await attack(tally, stack.gateway.url, `${route([]).path} ${minted.kind} ${key}`, route([...bearer(key), ATTACKER]));
    if (outcome?.status === 429) throttled += 1;
  });
  report.figure('keys.minted_throttled_429', throttled);
  tally.report(report, 'keys.minted');
}
