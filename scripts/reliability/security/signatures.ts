/**
 * Attacks on the signed internal routes, in both directions: the gateway's calls to the GPU functions
 * (`/internal/v1/models`, `/internal/v1/synthesize`) and the GPU functions' calls to the gateway
 * (`/internal/v1/voices/{id}`). Variants are drawn by fast-check from a fixed seed; each carries a fresh nonce, so
 * a refusal is the variant's doing, not a replay's.
 *
 * Classes: forged (wrong secret, flipped MAC bits, a MAC over another body, path, method, query, timestamp or nonce,
 * cut or lengthened MACs), stale (timestamps outside the window either way, MAC valid), replayed (sequential,
 * concurrent copies, at the exact edge of the window where the nonce store forgets, and after a GPU function
 * restarts with an empty store), cross-origin (a request signed for one service sent to another, `Host` forged or
 * not) and header faults (missing, duplicated, garbled, equivalent spellings of a valid value).
 * @module
 */
import { DEFAULT_SIGNATURE_WINDOW_SECONDS, randomHex, SIGNATURE_HEADERS, SIGNATURE_VERSION_PREFIX, signRequest } from '@gsv-edge/shared';
import fc from 'fast-check';
import type { SuiteReport } from '../report.ts';
import { SIGNING_SECRET, type ReliabilityStack } from '../stack.ts';
import { attack, AttackTally, inParallel, send, type Outcome, type Probe } from './probe.ts';

const SIGNATURE_REFUSALS = { 401: ['invalid_signature', 'stale_request', 'replayed_request'] } as const;
const WINDOW = DEFAULT_SIGNATURE_WINDOW_SECONDS;
const CONCURRENCY = 4;

interface Route {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly body: string;
}

/** A service that verifies signatures: where it listens, the origin its callers sign for, what it serves. */
export interface SignedTarget {
  readonly name: string;
  readonly base: string;
  readonly routes: readonly Route[];
  /**
   * How far back (seconds, negative) a valid request may be dated: the whole window for the gateway, a few seconds
   * for a GPU function, which refuses whatever was signed before it started (less than a window ago here).
   */
  readonly earliestOffset: number;
}

interface SignParts {
  readonly secret?: string;
  readonly method: string;
  readonly path: string;
  readonly body: string;
  /** The service the request is meant for. */
  readonly audience: SignedTarget;
  readonly timestamp?: number;
  readonly nonce?: string;
}

/** The three signature headers as the shared signer makes them, in a fixed order. */
async function signatureHeaders(parts: SignParts): Promise<[string, string][]> {
  const headers = await signRequest({
    secret: parts.secret ?? SIGNING_SECRET,
    audience: parts.audience.base,
    method: parts.method,
    pathAndQuery: parts.path,
    body: parts.body,
    ...(parts.timestamp === undefined ? {} : { timestamp: parts.timestamp }),
    ...(parts.nonce === undefined ? {} : { nonce: parts.nonce }),
  });
  return [
    [SIGNATURE_HEADERS.timestamp, headers[SIGNATURE_HEADERS.timestamp] ?? ''],
    [SIGNATURE_HEADERS.nonce, headers[SIGNATURE_HEADERS.nonce] ?? ''],
    [SIGNATURE_HEADERS.signature, headers[SIGNATURE_HEADERS.signature] ?? ''],
  ];
}

function withBody(route: Route, headers: readonly (readonly [string, string])[]): Probe {
  return {
    method: route.method,
    path: route.path,
    headers: route.method === 'POST' ? [...headers, ['content-type', 'application/json']] : headers,
    ...(route.method === 'POST' ? { body: route.body } : {}),
  };
}

/** A correctly signed request for `route` on `target`. */
async function signedProbe(target: SignedTarget, route: Route, timestamp?: number): Promise<Probe> {
  const headers = await signatureHeaders({ method: route.method, path: route.path, body: route.body, audience: target, ...(timestamp === undefined ? {} : { timestamp }) });
  return withBody(route, headers);
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function replaceHeader(headers: readonly (readonly [string, string])[], name: string, value: string): [string, string][] {
  return headers.map(([key, current]) => [key, key === name ? value : current]);
}

function headerValue(headers: readonly (readonly [string, string])[], name: string): string {
  return headers.find(([key]) => key === name)?.[1] ?? '';
}

function routeArbitrary(target: SignedTarget): fc.Arbitrary<Route> {
  return fc.constantFrom(...target.routes);
}

const printable = fc.string({ unit: fc.integer({ min: 0x21, max: 0x7e }).map((code) => String.fromCharCode(code)), minLength: 1, maxLength: 80 });
const secretArbitrary = fc.uint8Array({ minLength: 32, maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('hex'));
const bodyArbitrary = fc.oneof(fc.json(), printable);

type Forgery =
  | { readonly kind: 'wrong-secret'; readonly secret: string }
  | { readonly kind: 'flipped-bit'; readonly bit: number }
  | { readonly kind: 'other-body'; readonly body: string }
  | { readonly kind: 'other-path'; readonly path: string }
  | { readonly kind: 'other-method'; readonly method: string }
  | { readonly kind: 'other-query'; readonly query: string; readonly signedWithQuery: boolean }
  | { readonly kind: 'other-timestamp'; readonly delta: number }
  | { readonly kind: 'other-nonce' }
  | { readonly kind: 'cut-mac'; readonly hexChars: number }
  | { readonly kind: 'longer-mac'; readonly extra: string };

const forgeryArbitrary: fc.Arbitrary<Forgery> = fc.oneof(
  secretArbitrary.map((secret) => ({ kind: 'wrong-secret' as const, secret })),
  fc.integer({ min: 0, max: 255 }).map((bit) => ({ kind: 'flipped-bit' as const, bit })),
  bodyArbitrary.map((body) => ({ kind: 'other-body' as const, body })),
  fc
    .oneof(fc.constantFrom('/internal/v1/models', '/internal/v1/synthesize', '/internal/v1/voices/inspect', '/internal/v1/voices/reader', '/internal/v1/voices/narrator/'), printable.map((tail) => `/internal/v1/${encodeURIComponent(tail)}`))
    .map((path) => ({ kind: 'other-path' as const, path })),
  fc.constantFrom('POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'GET').map((method) => ({ kind: 'other-method' as const, method })),
  fc.record({ query: printable.map((text) => encodeURIComponent(text)), signedWithQuery: fc.boolean() }).map((query) => ({ kind: 'other-query' as const, ...query })),
  fc.integer({ min: -WINDOW + 5, max: WINDOW - 5 }).filter((delta) => delta !== 0).map((delta) => ({ kind: 'other-timestamp' as const, delta })),
  fc.constant({ kind: 'other-nonce' as const }),
  fc.integer({ min: 0, max: 63 }).map((hexChars) => ({ kind: 'cut-mac' as const, hexChars })),
  fc.stringMatching(/^[0-9a-f]{2,16}$/).map((extra) => ({ kind: 'longer-mac' as const, extra })),
);

async function forge(target: SignedTarget, route: Route, forgery: Forgery): Promise<Probe> {
  const base = { method: route.method, path: route.path, body: route.body, audience: target };
  const macOf = (headers: readonly (readonly [string, string])[]) => headerValue(headers, SIGNATURE_HEADERS.signature);
  switch (forgery.kind) {
    case 'wrong-secret':
      return withBody(route, await signatureHeaders({ ...base, secret: forgery.secret }));
    case 'flipped-bit': {
      const headers = await signatureHeaders(base);
      const mac = Buffer.from(macOf(headers).slice(3), 'hex');
      mac[forgery.bit >> 3] = (mac[forgery.bit >> 3] ?? 0) ^ (1 << (forgery.bit & 7));
      return withBody(route, replaceHeader(headers, SIGNATURE_HEADERS.signature, `${SIGNATURE_VERSION_PREFIX}${mac.toString('hex')}`));
    }
    case 'other-body': {
      // The MAC covers another body; the request carries the route's own (none for a GET).
      const body = forgery.body === route.body ? `${forgery.body} ` : forgery.body;
      return withBody(route, await signatureHeaders({ ...base, body }));
    }
    case 'other-path': {
      const path = forgery.path === route.path ? `${forgery.path}/` : forgery.path;
      return withBody(route, await signatureHeaders({ ...base, path }));
    }
    case 'other-method': {
      const method = forgery.method === route.method ? (route.method === 'GET' ? 'POST' : 'GET') : forgery.method;
      return withBody(route, await signatureHeaders({ ...base, method }));
    }
    case 'other-query': {
      const withQuery = `${route.path}?${forgery.query}`;
      const headers = await signatureHeaders({ ...base, path: forgery.signedWithQuery ? withQuery : route.path });
      return { ...withBody(route, headers), path: forgery.signedWithQuery ? route.path : withQuery };
    }
    case 'other-timestamp': {
      const timestamp = nowSeconds();
      const headers = await signatureHeaders({ ...base, timestamp });
      return withBody(route, replaceHeader(headers, SIGNATURE_HEADERS.timestamp, String(timestamp + forgery.delta)));
    }
    case 'other-nonce':
      return withBody(route, replaceHeader(await signatureHeaders(base), SIGNATURE_HEADERS.nonce, randomHex(16)));
    case 'cut-mac': {
      const headers = await signatureHeaders(base);
      return withBody(route, replaceHeader(headers, SIGNATURE_HEADERS.signature, macOf(headers).slice(0, 3 + forgery.hexChars)));
    }
    case 'longer-mac': {
      const headers = await signatureHeaders(base);
      return withBody(route, replaceHeader(headers, SIGNATURE_HEADERS.signature, `${macOf(headers)}${forgery.extra}`));
    }
  }
}

type HeaderFault =
  | { readonly kind: 'missing'; readonly names: readonly string[] }
  | { readonly kind: 'duplicated'; readonly name: string; readonly secondValid: boolean; readonly secondFirst: boolean }
  | { readonly kind: 'garbled'; readonly name: string; readonly value: string }
  | { readonly kind: 'respelled'; readonly how: 'upper-case-mac' | 'upper-case-prefix' | 'zero-padded-timestamp' | 'plus-timestamp' | 'upper-case-nonce' | 'no-prefix' | 'previous-version' };

const HEADER_NAMES = Object.values(SIGNATURE_HEADERS);

const headerFaultArbitrary: fc.Arbitrary<HeaderFault> = fc.oneof(
  fc.subarray(HEADER_NAMES, { minLength: 1 }).map((names) => ({ kind: 'missing' as const, names })),
  fc.record({ name: fc.constantFrom(...HEADER_NAMES), secondValid: fc.boolean(), secondFirst: fc.boolean() }).map((fault) => ({ kind: 'duplicated' as const, ...fault })),
  fc.record({ name: fc.constantFrom(...HEADER_NAMES), value: printable }).map((fault) => ({ kind: 'garbled' as const, ...fault })),
  fc
    .constantFrom('upper-case-mac', 'upper-case-prefix', 'zero-padded-timestamp', 'plus-timestamp', 'upper-case-nonce', 'no-prefix', 'previous-version')
    .map((how) => ({ kind: 'respelled' as const, how })),
);

async function withHeaderFault(target: SignedTarget, route: Route, fault: HeaderFault): Promise<Probe> {
  const headers = await signatureHeaders({ method: route.method, path: route.path, body: route.body, audience: target });
  const value = (name: string) => headerValue(headers, name);
  switch (fault.kind) {
    case 'missing':
      return withBody(route, headers.filter(([name]) => !fault.names.includes(name)));
    case 'duplicated': {
      // The second copy is either the same value or the value of another valid signature of the same request.
      const other = fault.secondValid ? headerValue(await signatureHeaders({ method: route.method, path: route.path, body: route.body, audience: target }), fault.name) : value(fault.name);
      const pair: [string, string] = [fault.name, other];
      return withBody(route, fault.secondFirst ? [pair, ...headers] : [...headers, pair]);
    }
    case 'garbled':
      return withBody(route, replaceHeader(headers, fault.name, fault.value));
    case 'respelled': {
      const mac = value(SIGNATURE_HEADERS.signature);
      const respelled: Record<typeof fault.how, [string, string]> = {
        'upper-case-mac': [SIGNATURE_HEADERS.signature, `${SIGNATURE_VERSION_PREFIX}${mac.slice(3).toUpperCase()}`],
        'upper-case-prefix': [SIGNATURE_HEADERS.signature, `${SIGNATURE_VERSION_PREFIX.toUpperCase()}${mac.slice(3)}`],
        'no-prefix': [SIGNATURE_HEADERS.signature, mac.slice(3)],
        'previous-version': [SIGNATURE_HEADERS.signature, `v1=${mac.slice(3)}`],
        'zero-padded-timestamp': [SIGNATURE_HEADERS.timestamp, `0${value(SIGNATURE_HEADERS.timestamp)}`],
        'plus-timestamp': [SIGNATURE_HEADERS.timestamp, `+${value(SIGNATURE_HEADERS.timestamp)}`],
        'upper-case-nonce': [SIGNATURE_HEADERS.nonce, value(SIGNATURE_HEADERS.nonce).toUpperCase()],
      };
      const [name, replacement] = respelled[fault.how];
      return withBody(route, replaceHeader(headers, name, replacement));
    }
  }
}

/**
 * Offsets from the whole second the request is signed in. A timestamp is whole seconds and the verifier's clock is
 * not, and the request takes a moment to arrive: `-(WINDOW + 1)` is always past the window by arrival, while a future
 * timestamp needs `WINDOW + 2` to be sure of still being beyond it then.
 */
const staleArbitrary = fc.oneof(
  fc.integer({ min: WINDOW + 1, max: 10_000_000 }).map((seconds) => -seconds),
  fc.integer({ min: WINDOW + 2, max: 10_000_000 }),
  fc.constantFrom(-(WINDOW + 1), WINDOW + 2, -(WINDOW + 2), WINDOW + 3),
);

function describeVariant(target: SignedTarget, route: Route, variant: unknown): string {
  return `${target.name} ${route.method} ${route.path} ${JSON.stringify(variant).slice(0, 120)}`;
}

export interface SignatureOptions {
  readonly variants: number;
  readonly seed: number;
  readonly edgeRounds: number;
}

export async function signatureAttacks(report: SuiteReport, stack: ReliabilityStack, options: SignatureOptions): Promise<void> {
  const gpuRoutes: Route[] = [
    { method: 'GET', path: '/internal/v1/models', body: '' },
    // A body the job schema refuses: a request that got past the signature is answered 400, and costs no synthesis.
    { method: 'POST', path: '/internal/v1/synthesize', body: '{"probe":true}' },
  ];
  const targets: SignedTarget[] = [
    ...stack.gpus.map((gpu) => ({ name: gpu.name, base: gpu.url, routes: gpuRoutes, earliestOffset: -5 })),
    { name: 'gateway', base: stack.gateway.url, routes: [{ method: 'GET', path: `/internal/v1/voices/${stack.voices[0] ?? 'narrator'}`, body: '' }], earliestOffset: -(WINDOW - 5) },
  ];
  const per = Math.max(1, Math.round(options.variants / targets.length));
  const sample = <T>(arbitrary: fc.Arbitrary<T>, salt: number): T[] => fc.sample(arbitrary, { numRuns: per, seed: options.seed + salt });

  // Without this the other classes prove nothing: a correctly signed request must get through on every target.
  const baseline = new AttackTally('signatures: correctly signed requests are accepted (baseline)', {});
  for (const target of targets) {
    for (const route of target.routes) {
      const outcome = await send(target.base, await signedProbe(target, route));
      const passed = outcome.status === 200 || (route.method === 'POST' && outcome.status === 400);
      baseline.sent += 1;
      if (passed) baseline.refused += 1;
      else baseline.failed(`${target.name} ${route.path}`, new Error(`answered ${String(outcome.status)} ${outcome.code ?? ''}`));
    }
  }
  report.check(baseline.name, baseline.ok, `${String(baseline.refused)}/${String(baseline.sent)} passed the signature check`);

  const forged = new AttackTally('signatures: forged (wrong secret, flipped bits, MAC over another body/path/method/query/timestamp/nonce)', SIGNATURE_REFUSALS);
  const stale = new AttackTally('signatures: stale and future timestamps (valid MAC)', SIGNATURE_REFUSALS);
  const faults = new AttackTally('signatures: missing, duplicated, garbled and respelled headers', SIGNATURE_REFUSALS);
  for (const [index, target] of targets.entries()) {
    const forgeries = sample(fc.tuple(routeArbitrary(target), forgeryArbitrary), 100 + index);
    await inParallel(forgeries, CONCURRENCY, async ([route, forgery]) => {
      await attack(forged, target.base, describeVariant(target, route, forgery), await forge(target, route, forgery));
    });
    const stales = sample(fc.tuple(routeArbitrary(target), staleArbitrary), 200 + index);
    await inParallel(stales, CONCURRENCY, async ([route, offset]) => {
      await attack(stale, target.base, describeVariant(target, route, { offset }), await signedProbe(target, route, nowSeconds() + offset));
    });
    const headerFaults = sample(fc.tuple(routeArbitrary(target), headerFaultArbitrary), 300 + index);
    await inParallel(headerFaults, CONCURRENCY, async ([route, fault]) => {
      await attack(faults, target.base, describeVariant(target, route, fault), await withHeaderFault(target, route, fault));
    });
  }
  forged.report(report, 'signatures.forged');
  stale.report(report, 'signatures.stale');
  faults.report(report, 'signatures.headers');

  await replayAttacks(report, stack, targets, per, options);
  await crossOriginAttacks(report, targets, per);
}

async function replayAttacks(report: SuiteReport, stack: ReliabilityStack, targets: readonly SignedTarget[], per: number, options: SignatureOptions): Promise<void> {
  const replayed = new AttackTally('signatures: replayed (again, and as concurrent copies)', SIGNATURE_REFUSALS);
  let originals = 0;
  let originalsAccepted = 0;
  for (const target of targets) {
    const rounds = fc.sample(fc.tuple(routeArbitrary(target), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 8 }), fc.integer({ min: target.earliestOffset, max: WINDOW - 5 })), {
      numRuns: Math.max(1, Math.round(per / 4)),
      seed: options.seed + 400,
    });
    for (const [route, repeats, copies, offset] of rounds) {
      // Sequential: the original, then the same bytes again.
      const probe = await signedProbe(target, route, nowSeconds() + offset);
      originals += 1;
      if (passedSignature(await send(target.base, probe))) originalsAccepted += 1;
      for (let repeat = 0; repeat < repeats; repeat += 1) await attack(replayed, target.base, describeVariant(target, route, { replay: repeat + 1, offset }), probe);
      // Concurrent: copies sent at once, of which exactly one may pass.
      const burst = await signedProbe(target, route);
      const outcomes = await Promise.all(Array.from({ length: copies }, () => send(target.base, burst)));
      const first = outcomes.findIndex(passedSignature);
      originals += 1;
      if (first >= 0) originalsAccepted += 1;
      outcomes.forEach((outcome, index) => {
        if (index !== first) replayed.record(describeVariant(target, route, { concurrentCopy: index, copies }), outcome);
      });
    }
  }
  report.figure('signatures.replay_originals_accepted', originalsAccepted);
  report.check('signatures: replay originals were accepted (the replays test the nonce store, not the MAC)', originalsAccepted === originals, `${String(originalsAccepted)}/${String(originals)}`);
  replayed.report(report, 'signatures.replayed');

  await replayAtWindowEdge(report, targets, options.edgeRounds);
  await replayAfterRestart(report, stack, targets);
}

/**
 * The nonce store forgets a nonce when its timestamp leaves the window. The request is signed so that moment comes
 * within a second, then replayed as fast as the target answers until well past it: a replay answered at the very
 * millisecond the nonce is forgotten but the timestamp is still inside the window would pass. Only targets that take
 * a request dated a whole window back can be tried (a GPU function started less than a window ago refuses it).
 */
async function replayAtWindowEdge(report: SuiteReport, targets: readonly SignedTarget[], rounds: number): Promise<void> {
  const edge = new AttackTally('signatures: replayed across the moment the nonce store forgets the nonce', SIGNATURE_REFUSALS);
  const eligible = targets.filter((target) => target.earliestOffset < -WINDOW / 2);
  for (let round = 0; round < rounds; round += 1) {
    const target = eligible[round % eligible.length];
    const route = target?.routes[0];
    if (target === undefined || route === undefined) continue;
    const timestamp = nowSeconds() - (WINDOW - 1);
    const forgetsAt = (timestamp + WINDOW) * 1000;
    const probe = await signedProbe(target, route, timestamp);
    if (!passedSignature(await send(target.base, probe))) {
      edge.failed(`${target.name} round ${String(round)}`, new Error('the original was not accepted'));
      continue;
    }
    const until = forgetsAt + 300;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (Date.now() < until) {
          const sentAt = Date.now();
          await attack(edge, target.base, `${target.name} replay ${String(sentAt - forgetsAt)} ms from the edge`, probe);
        }
      }),
    );
  }
  edge.report(report, 'signatures.replayed_at_window_edge');
}

/**
 * A restarted GPU function starts with an empty nonce store: what its predecessor accepted must still not pass again.
 * Requests dated now or earlier (as every signer dates them) are the check. A request dated ahead of the verifier's
 * clock and accepted shortly before the restart is measured apart (a figure and a note): only a nonce store that
 * outlives the process could refuse it, and that is a known limit, not a pass.
 */
async function replayAfterRestart(report: SuiteReport, stack: ReliabilityStack, targets: readonly SignedTarget[]): Promise<void> {
  // Stamped with the second the function restarted in, a request may be older or newer than it: asked to sign anew.
  const restarted = new AttackTally('signatures: replayed to a GPU function after it restarted (empty nonce store)', { ...SIGNATURE_REFUSALS, 503: ['not_ready'] });
  const futureDated = new AttackTally('future-dated replays after a restart', SIGNATURE_REFUSALS);
  const target = targets[0];
  if (target === undefined) return;
  const accepted: { probe: Probe; offset: number }[] = [];
  for (const offset of [0, -1, -60, -(WINDOW - 30), 30, 120]) {
    for (const route of target.routes) {
      const probe = await signedProbe(target, route, nowSeconds() + offset);
      if (passedSignature(await send(target.base, probe))) accepted.push({ probe, offset });
    }
  }
  const restartStarted = performance.now();
  await stack.killGpu(0, 'SIGKILL');
  await stack.restartGpu(0);
  report.figure('signatures.gpu_restart_seconds', Math.round((performance.now() - restartStarted) / 100) / 10);
  for (const [index, { probe, offset }] of accepted.entries()) {
    await attack(offset > 0 ? futureDated : restarted, target.base, `${target.name} ${probe.path} dated ${String(offset)} s, #${String(index)} after restart`, probe);
  }
  restarted.report(report, 'signatures.replayed_after_restart');
  report.figure('signatures.future_dated_replayed_after_restart.sent', futureDated.sent);
  report.figure('signatures.future_dated_replayed_after_restart.accepted', futureDated.sent - futureDated.refused);
  report.note(`Future-dated requests (+30 s, +120 s: a signer clock ahead of the GPU function's) replayed after a restart: ${futureDated.summary()}.`);
}

async function crossOriginAttacks(report: SuiteReport, targets: readonly SignedTarget[], per: number): Promise<void> {
  const crossed = new AttackTally('signatures: cross-origin (signed for one service, sent to another, Host forged or not)', SIGNATURE_REFUSALS);
  const pairs = targets.flatMap((from) => targets.filter((to) => to !== from).map((to) => ({ from, to })));
  const count = Math.max(1, Math.round(per / pairs.length));
  for (const { from, to } of pairs) {
    for (let index = 0; index < count; index += 1) {
      const route = from.routes[index % from.routes.length];
      if (route === undefined) continue;
      // Sent to the service it was signed for first (captured in transit), then replayed to another; or sent to the
      // other service only; with the Host header of the service it was signed for, or the true one.
      const probe = await signedProbe(from, route);
      const deliveredFirst = index % 2 === 0;
      if (deliveredFirst) await send(from.base, probe);
      const forgedHost = index % 4 < 2;
      const sent: Probe = forgedHost ? { ...probe, headers: [...(probe.headers ?? []), ['host', new URL(from.base).host]] } : probe;
      await attack(crossed, to.base, `${from.name} -> ${to.name} ${route.method} ${route.path}${deliveredFirst ? ' (after delivery)' : ''}${forgedHost ? ' (Host forged)' : ''}`, sent);
    }
  }
  crossed.report(report, 'signatures.cross_origin');
}

function passedSignature(outcome: Outcome): boolean {
  return !(outcome.status === 401 && outcome.code !== null && (SIGNATURE_REFUSALS[401] as readonly string[]).includes(outcome.code));
}
