/**
 * Whether how long a refusal takes tells an attacker how much of a secret it got right. For each secret, two wrong
 * guesses of the same length are timed: one sharing a long prefix with the right value, one sharing none. Samples
 * are interleaved in random order on one kept-alive connection (so drift and load hit both alike), after a warm-up.
 *
 * The test: a two-sided permutation test on the difference of the medians. The labels of the pooled samples are
 * shuffled many times; p is the share of shuffles whose |median difference| is at least the observed one. The check
 * passes when p >= 0.001, i.e. the observed difference is within what relabelling the same samples produces.
 * @module
 */
import { SIGNATURE_HEADERS, signRequest } from '@gsv-edge/shared';
import { Client } from 'undici';
import { checksum } from '../../../gateway/src/services/key-format.ts';
import type { SuiteReport } from '../report.ts';
import { ADMIN_SECRET, SIGNING_SECRET, type ReliabilityStack } from '../stack.ts';

const ALPHA = 0.001;
const PERMUTATIONS = 2000;
const WARM_UP = 40;

interface Guess {
  readonly method: 'GET';
  readonly path: string;
  /** Fresh headers per sample (a signature must stay inside its window). */
  readonly headers: () => Promise<Record<string, string>>;
}

interface TimedPair {
  readonly name: string;
  readonly base: string;
  readonly longPrefix: Guess;
  readonly noPrefix: Guess;
  /** The statuses the guesses must be answered with: a timing of anything else is not the check being timed. */
  readonly expected: readonly number[];
}

export interface TimingOptions {
  readonly samples: number;
}

export async function timingChecks(report: SuiteReport, stack: ReliabilityStack, options: TimingOptions): Promise<void> {
  const control = await stack.createKey('security-timing');
  for (const pair of await timedPairs(stack, control.secret)) await timePair(report, pair, options.samples);
}

/** A string of the same length as `text` that differs from it at every position (same character class). */
function differentEverywhere(text: string): string {
  return text
    .split('')
    .map((character) => {
      if (/[0-9]/.test(character)) return String((Number(character) + 5) % 10);
      if (/[a-z]/.test(character)) return String.fromCharCode(((character.charCodeAt(0) - 97 + 13) % 26) + 97);
      if (/[A-Z]/.test(character)) return String.fromCharCode(((character.charCodeAt(0) - 65 + 13) % 26) + 65);
      return character === '-' ? '_' : '-';
    })
    .join('');
}

function lastCharacterChanged(text: string): string {
  return `${text.slice(0, -1)}${text.endsWith('x') ? 'y' : 'x'}`;
}

async function timedPairs(stack: ReliabilityStack, validKey: string): Promise<TimedPair[]> {
  const gateway = stack.gateway.url;
  const bearer = (token: string) => () => Promise.resolve({ authorization: `Bearer ${token}` });

  // Key checks: a checksum-failing key (refused before any lookup), and a well-formed unknown key (looked up once,
  // then answered from the isolate's memory of unknown keys).
  const body = validKey.slice(0, 40);
  const neighbourBody = `${body.slice(0, -1)}${body.endsWith('a') ? 'b' : 'a'}`;
  const strangerBody = `${body.slice(0, 8)}${differentEverywhere(body.slice(8))}`;
  const unknownNeighbour = `${neighbourBody}${await checksum(neighbourBody)}`;
  const unknownStranger = `${strangerBody}${await checksum(strangerBody)}`;

  const gpu = stack.gpus[0];
  const signatureGuess = (target: string, mangle: (mac: string) => string): Guess => ({
    method: 'GET',
    path: '/internal/v1/models',
    headers: async () => {
      const headers = await signRequest({ secret: SIGNING_SECRET, audience: target, method: 'GET', pathAndQuery: '/internal/v1/models', body: '' });
      const mac = headers[SIGNATURE_HEADERS.signature] ?? '';
      return { ...headers, [SIGNATURE_HEADERS.signature]: `${mac.slice(0, 3)}${mangle(mac.slice(3))}` };
    },
  });
  const flipHex = (digit: string) => (Number.parseInt(digit, 16) ^ 0xf).toString(16);

  return [
    {
      name: 'admin secret',
      base: gateway,
      longPrefix: { method: 'GET', path: '/admin/usage', headers: bearer(lastCharacterChanged(ADMIN_SECRET)) },
      noPrefix: { method: 'GET', path: '/admin/usage', headers: bearer(differentEverywhere(ADMIN_SECRET)) },
      expected: [403],
    },
    {
      name: 'API key, wrong checksum',
      base: gateway,
      longPrefix: { method: 'GET', path: '/v1/usage', headers: bearer(lastCharacterChanged(validKey)) },
      noPrefix: { method: 'GET', path: '/v1/usage', headers: bearer(`${validKey.slice(0, 8)}${differentEverywhere(validKey.slice(8))}`) },
      expected: [401],
    },
    {
      name: 'API key, well formed and unknown',
      base: gateway,
      longPrefix: { method: 'GET', path: '/v1/usage', headers: bearer(unknownNeighbour) },
      noPrefix: { method: 'GET', path: '/v1/usage', headers: bearer(unknownStranger) },
      expected: [401, 429],
    },
    ...(gpu === undefined
      ? []
      : [
          {
            name: 'GPU function request signature (MAC)',
            base: gpu.url,
            longPrefix: signatureGuess(gpu.url, (mac) => `${mac.slice(0, -1)}${flipHex(mac.slice(-1))}`),
            noPrefix: signatureGuess(gpu.url, (mac) => mac.split('').map(flipHex).join('')),
            expected: [401],
          },
        ]),
  ];
}

async function timePair(report: SuiteReport, pair: TimedPair, samples: number): Promise<void> {
  const client = new Client(pair.base, { pipelining: 1, keepAliveTimeout: 60_000 });
  const long: number[] = [];
  const none: number[] = [];
  const unexpected = new Map<number, number>();
  try {
    const time = async (guess: Guess): Promise<number> => {
      const headers = await guess.headers();
      const started = process.hrtime.bigint();
      const answer = await client.request({ method: guess.method, path: guess.path, headers });
      await answer.body.text();
      const elapsed = Number(process.hrtime.bigint() - started) / 1000;
      if (!pair.expected.includes(answer.statusCode)) unexpected.set(answer.statusCode, (unexpected.get(answer.statusCode) ?? 0) + 1);
      return elapsed;
    };
    for (let index = 0; index < WARM_UP; index += 1) await time(index % 2 === 0 ? pair.longPrefix : pair.noPrefix);
    for (let index = 0; index < samples; index += 1) {
      // Both guesses each round, in a random order.
      if (Math.random() < 0.5) {
        long.push(await time(pair.longPrefix));
        none.push(await time(pair.noPrefix));
      } else {
        none.push(await time(pair.noPrefix));
        long.push(await time(pair.longPrefix));
      }
    }
  } finally {
    await client.close();
  }
  const medianLong = median(long);
  const medianNone = median(none);
  const difference = medianLong - medianNone;
  const p = permutationP(long, none);
  const spread = iqr([...long, ...none]);
  const slug = pair.name.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');
  report.figure(`timing.${slug}.median_long_prefix_us`, round(medianLong));
  report.figure(`timing.${slug}.median_no_prefix_us`, round(medianNone));
  report.figure(`timing.${slug}.median_difference_us`, round(difference));
  report.figure(`timing.${slug}.iqr_us`, round(spread));
  report.figure(`timing.${slug}.p`, round(p, 4));
  const statuses = unexpected.size === 0 ? '' : `; unexpected statuses ${JSON.stringify(Object.fromEntries(unexpected))}`;
  report.check(
    `timing: ${pair.name} refusals take as long for a long shared prefix as for none`,
    p >= ALPHA && unexpected.size === 0,
    `${String(samples)} samples each; medians ${round(medianLong)} vs ${round(medianNone)} us (difference ${round(difference)} us, IQR ${round(spread)} us); permutation p = ${round(p, 4)} (pass at p >= ${String(ALPHA)})${statuses}`,
  );
}

function median(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}

function iqr(values: readonly number[]): number {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return at(0.75) - at(0.25);
}

/** Two-sided permutation p-value of the difference of medians (with the +1 correction, so never 0). */
function permutationP(a: readonly number[], b: readonly number[]): number {
  const observed = Math.abs(median(a) - median(b));
  const pooled = Float64Array.from([...a, ...b]);
  let atLeast = 0;
  for (let round = 0; round < PERMUTATIONS; round += 1) {
    // Fisher-Yates over the first a.length places is enough to draw a random split.
    for (let index = 0; index < a.length; index += 1) {
      const pick = index + Math.floor(Math.random() * (pooled.length - index));
      const held = pooled[index] ?? 0;
      pooled[index] = pooled[pick] ?? 0;
      pooled[pick] = held;
    }
    if (Math.abs(median(Array.from(pooled.subarray(0, a.length))) - median(Array.from(pooled.subarray(a.length)))) >= observed) atLeast += 1;
  }
  return (atLeast + 1) / (PERMUTATIONS + 1);
}

function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
