/**
 * Attacks on the admin API: every route under /admin (and odd spellings of their paths) without a secret, with
 * wrong secrets (prefixes and extensions of the right one, one character changed, case changed, a customer's API
 * key, random ones) and with the right secret in the wrong scheme or header. The right secret in the right scheme is
 * the control: it must pass on every route, or the refusals prove nothing.
 * @module
 */
import fc from 'fast-check';
import type { SuiteReport } from '../report.ts';
import { ADMIN_SECRET, type ReliabilityStack } from '../stack.ts';
import { attack, AttackTally, inParallel, send, type Probe } from './probe.ts';

const ADMIN_REFUSALS = { 401: ['missing_api_key'], 403: ['admin_required'] } as const;
/** Paths no route answers: a wrong secret may meet a 404 there, as long as it never meets a 2xx. */
const ODD_PATH_REFUSALS = { ...ADMIN_REFUSALS, 404: ['not_found'] } as const;
const CONCURRENCY = 4;

interface AdminRoute {
  readonly method: string;
  readonly path: string;
  readonly body?: string;
}

type Credential =
  | { readonly kind: 'none' }
  | { readonly kind: 'prefix'; readonly length: number }
  | { readonly kind: 'suffix'; readonly extra: string }
  | { readonly kind: 'substituted'; readonly position: number; readonly character: string }
  | { readonly kind: 'case-changed'; readonly positions: readonly number[] }
  | { readonly kind: 'random'; readonly token: string }
  | { readonly kind: 'api-key' }
  | { readonly kind: 'right-secret-wrong-scheme'; readonly scheme: string }
  | { readonly kind: 'right-secret-other-header'; readonly name: string }
  | { readonly kind: 'right-secret-in-query' }
  | { readonly kind: 'two-authorizations'; readonly rightFirst: boolean };

const tokenCharacter = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~+/'.split(''));

function credentialArbitrary(secretLength: number): fc.Arbitrary<Credential> {
  return fc.oneof(
    fc.constant({ kind: 'none' as const }),
    fc.integer({ min: 1, max: secretLength - 1 }).map((length) => ({ kind: 'prefix' as const, length })),
    fc.string({ unit: tokenCharacter, minLength: 1, maxLength: 8 }).map((extra) => ({ kind: 'suffix' as const, extra })),
    fc.record({ position: fc.integer({ min: 0, max: secretLength - 1 }), character: tokenCharacter }).map((change) => ({ kind: 'substituted' as const, ...change })),
    fc.uniqueArray(fc.integer({ min: 0, max: secretLength - 1 }), { minLength: 1, maxLength: 4 }).map((positions) => ({ kind: 'case-changed' as const, positions })),
    fc.string({ unit: tokenCharacter, minLength: 1, maxLength: 64 }).map((token) => ({ kind: 'random' as const, token })),
    fc.constant({ kind: 'api-key' as const }),
    fc.constantFrom('Basic', 'Token', 'ApiKey', 'Bearer:', 'Digest', '').map((scheme) => ({ kind: 'right-secret-wrong-scheme' as const, scheme })),
    fc.constantFrom('x-admin-secret', 'x-api-key', 'admin-secret', 'proxy-authorization').map((name) => ({ kind: 'right-secret-other-header' as const, name })),
    fc.constant({ kind: 'right-secret-in-query' as const }),
    fc.boolean().map((rightFirst) => ({ kind: 'two-authorizations' as const, rightFirst })),
  );
}

/** The headers (and query) a credential is sent as; `null` when the variant came out equal to the right secret. */
function credentialHeaders(credential: Credential, apiKey: string): { headers: [string, string][]; query: string } | null {
  const bearer = (token: string): { headers: [string, string][]; query: string } | null => (token === ADMIN_SECRET ? null : { headers: [['authorization', `Bearer ${token}`]], query: '' });
  switch (credential.kind) {
    case 'none':
      return { headers: [], query: '' };
    case 'prefix':
      return bearer(ADMIN_SECRET.slice(0, credential.length));
    case 'suffix':
      return bearer(`${ADMIN_SECRET}${credential.extra}`);
    case 'substituted':
      return bearer(`${ADMIN_SECRET.slice(0, credential.position)}${credential.character}${ADMIN_SECRET.slice(credential.position + 1)}`);
    case 'case-changed': {
      const characters = ADMIN_SECRET.split('');
      for (const position of credential.positions) {
        const character = characters[position] ?? '';
        characters[position] = character === character.toUpperCase() ? character.toLowerCase() : character.toUpperCase();
      }
      return bearer(characters.join(''));
    }
    case 'random':
      return bearer(credential.token);
    case 'api-key':
      return bearer(apiKey);
    case 'right-secret-wrong-scheme': {
      if (credential.scheme === 'Basic') return { headers: [['authorization', `Basic ${Buffer.from(`admin:${ADMIN_SECRET}`).toString('base64')}`]], query: '' };
      return { headers: [['authorization', credential.scheme === '' ? ADMIN_SECRET : `${credential.scheme} ${ADMIN_SECRET}`]], query: '' };
    }
    case 'right-secret-other-header':
      return { headers: [[credential.name, ADMIN_SECRET]], query: '' };
    case 'right-secret-in-query':
      return { headers: [], query: `token=${encodeURIComponent(ADMIN_SECRET)}&admin_secret=${encodeURIComponent(ADMIN_SECRET)}` };
    case 'two-authorizations': {
      const right: [string, string] = ['authorization', `Bearer ${ADMIN_SECRET}`];
      const wrong: [string, string] = ['authorization', `Bearer ${ADMIN_SECRET}x`];
      return { headers: credential.rightFirst ? [right, wrong] : [wrong, right], query: '' };
    }
  }
}

function probeOf(route: AdminRoute, headers: readonly (readonly [string, string])[], query: string): Probe {
  const path = query === '' ? route.path : `${route.path}${route.path.includes('?') ? '&' : '?'}${query}`;
  return {
    method: route.method,
    path,
    headers: route.body === undefined ? headers : [...headers, ['content-type', 'application/json']],
    ...(route.body === undefined ? {} : { body: route.body }),
  };
}

export interface AdminOptions {
  readonly variants: number;
  readonly seed: number;
}

export async function adminAttacks(report: SuiteReport, stack: ReliabilityStack, options: AdminOptions): Promise<void> {
  const base = stack.gateway.url;
  const customer = await stack.createKey('security-admin-probe');
  const victim = await stack.createKey('security-admin-victim');
  const keyBody = JSON.stringify({ name: 'made by an attacker', plan: { requests_per_minute: 60, max_concurrent: 1, price_per_1k_chars_micros: 0, cache_hit_price_per_1k_chars_micros: 0 } });
  const routes: AdminRoute[] = [
    { method: 'GET', path: '/admin/keys' },
    { method: 'GET', path: '/admin/keys?include_revoked=true' },
    { method: 'POST', path: '/admin/keys', body: keyBody },
    { method: 'GET', path: `/admin/keys/${victim.id}` },
    { method: 'GET', path: `/admin/keys/${victim.id}/usage` },
    { method: 'POST', path: `/admin/keys/${victim.id}/revoke`, body: '{}' },
    { method: 'GET', path: '/admin/usage' },
    { method: 'GET', path: '/admin/usage?format=csv' },
    { method: 'GET', path: '/admin/usage/events' },
    { method: 'POST', path: '/admin/usage/stripe-sync', body: '{}' },
    { method: 'GET', path: '/admin/voices' },
    { method: 'POST', path: '/admin/voices', body: '{}' },
    { method: 'DELETE', path: `/admin/voices/${stack.voices[1] ?? 'reader'}` },
    { method: 'GET', path: '/admin/not-a-route' },
  ];
  const oddPaths: AdminRoute[] = [
    { method: 'GET', path: '/admin' },
    { method: 'GET', path: '/admin/' },
    { method: 'GET', path: '/admin/keys/' },
    { method: 'GET', path: '//admin/keys' },
    { method: 'GET', path: '/admin//keys' },
    { method: 'GET', path: '/%61dmin/keys' },
    { method: 'GET', path: '/admin/%6beys' },
    { method: 'GET', path: '/ADMIN/keys' },
    { method: 'GET', path: '/Admin/keys' },
    { method: 'GET', path: '/admin/./keys' },
    { method: 'GET', path: '/v1/../admin/keys' },
    { method: 'GET', path: '/admin/keys;x=1' },
    { method: 'GET', path: '/admin/keys%2f' },
  ];

  // Control: the right secret opens the read-only routes (the writing ones are not run with it).
  const readOnly = routes.filter((route) => route.method === 'GET' && route.path !== '/admin/not-a-route');
  let controlPassed = 0;
  for (const route of readOnly) if ((await send(base, probeOf(route, Object.entries(stack.adminHeaders), ''))).status === 200) controlPassed += 1;
  report.check('admin: the right secret opens every read-only admin route (control)', controlPassed === readOnly.length, `${String(controlPassed)}/${String(readOnly.length)}`);

  const tally = new AttackTally('admin: no secret, wrong secrets, an API key, the right secret in another scheme or header', ADMIN_REFUSALS);
  const variants = fc.sample(fc.tuple(fc.constantFrom(...routes), credentialArbitrary(ADMIN_SECRET.length)), { numRuns: options.variants, seed: options.seed + 700 });
  // Every route also meets every kind of credential at least once, whatever the sample drew.
  const everyKind: Credential[] = [
    { kind: 'none' },
    { kind: 'prefix', length: ADMIN_SECRET.length - 1 },
    { kind: 'suffix', extra: 'x' },
    { kind: 'case-changed', positions: [0] },
    { kind: 'api-key' },
    { kind: 'right-secret-wrong-scheme', scheme: 'Basic' },
    { kind: 'right-secret-wrong-scheme', scheme: '' },
    { kind: 'right-secret-other-header', name: 'x-admin-secret' },
    { kind: 'right-secret-in-query' },
    { kind: 'two-authorizations', rightFirst: true },
  ];
  const all: [AdminRoute, Credential][] = [...variants, ...routes.flatMap((route) => everyKind.map((credential): [AdminRoute, Credential] => [route, credential]))];
  let skipped = 0;
  await inParallel(all, CONCURRENCY, async ([route, credential]) => {
    const sent = credentialHeaders(credential, customer.secret);
    if (sent === null) {
      skipped += 1;
      return;
    }
    await attack(tally, base, `${route.method} ${route.path} ${JSON.stringify(credential)}`, probeOf(route, sent.headers, sent.query));
  });
  report.figure('admin.variants_equal_to_the_secret_skipped', skipped);
  tally.report(report, 'admin.wrong_secrets');

  const odd = new AttackTally('admin: odd spellings of admin paths with wrong or no secrets', ODD_PATH_REFUSALS);
  for (const route of oddPaths) {
    for (const credential of everyKind) {
      const sent = credentialHeaders(credential, customer.secret);
      if (sent !== null) await attack(odd, base, `${route.path} ${JSON.stringify(credential)}`, probeOf(route, sent.headers, sent.query));
    }
  }
  odd.report(report, 'admin.odd_paths');

  const victimNow = await send(base, probeOf({ method: 'GET', path: `/admin/keys/${victim.id}` }, Object.entries(stack.adminHeaders), ''));
  report.check('admin: nothing was changed by the refused requests (the victim key is not revoked)', victimNow.status === 200 && victimNow.text.includes('"revoked_at":null'), victimNow.text.slice(0, 160));
}
