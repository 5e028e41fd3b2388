/**
 * What the load suite's clients ask for: cache HITS (a few repeated phrases per key, voice and format, synthesized
 * once before the run) and MISSES (a new sentence every time), on both voices, both synthesis routes, streamed and
 * not, mostly WAV with some MP3, and a few clients that leave after the first chunk. Seeded, so a run can be
 * repeated request for request.
 * @module
 */

export type RequestKind = 'hit' | 'miss';
export type LoadFormat = 'wav' | 'mp3';

export interface RequestSpec {
  readonly kind: RequestKind;
  readonly route: 'tts' | 'speech';
  /** Native route only; the OpenAI route always streams. */
  readonly stream: boolean;
  readonly voice: string;
  readonly format: LoadFormat;
  readonly text: string;
  /** Read the first chunk of a 2xx answer, then leave (billed all the same, see billing.ts rule 1). */
  readonly leave: boolean;
}

/** Phrases every key synthesizes once before the run and then repeats: the cache hits. */
export const HIT_PHRASES = ['Welcome back to the reading room.', 'Thank you for listening today.'] as const;
export const FORMATS: readonly LoadFormat[] = ['wav', 'mp3'];

const ADJECTIVES = ['quiet', 'bright', 'calm', 'amber', 'silver', 'gentle', 'early', 'distant', 'golden', 'tired', 'happy', 'narrow', 'open', 'modern', 'simple', 'warm'] as const;
const NOUNS = ['river', 'garden', 'harbor', 'valley', 'market', 'station', 'forest', 'castle', 'meadow', 'library', 'bridge', 'window', 'island', 'street', 'tower', 'orchard'] as const;
const VERBS = ['rested', 'waited', 'glowed', 'turned', 'listened', 'wandered', 'settled', 'opened'] as const;

/** The `n`-th new sentence (short: each one is a synthesis): distinct for every n below 16 * 16 * 8 * 16 (32,768). */
export function missSentence(n: number): string {
  let rest = n;
  const take = <T>(words: readonly T[]): T => {
    const word = words[rest % words.length] as T;
    rest = Math.floor(rest / words.length);
    return word;
  };
  const adjective = take(ADJECTIVES);
  const noun = take(NOUNS);
  const verb = take(VERBS);
  const place = take(NOUNS);
  return `The ${adjective} ${noun} ${verb} by the ${place}.`;
}

/** mulberry32: a small seeded generator, enough to pick requests reproducibly. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface TrafficMix {
  /** Share of requests that repeat a cached phrase. */
  readonly hitShare: number;
  readonly leaveShare: number;
}

export const DEFAULT_MIX: TrafficMix = { hitShare: 0.7, leaveShare: 0.03 };

/** Picks one request; `nextMiss` hands out the run's new-sentence numbers. */
export function pickRequest(random: () => number, voices: readonly string[], nextMiss: () => number, mix: TrafficMix = DEFAULT_MIX): RequestSpec {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const kind: RequestKind = random() < mix.hitShare ? 'hit' : 'miss';
  const route = random() < 0.6 ? 'tts' : 'speech';
  return {
    kind,
    route,
    stream: route === 'speech' || random() < 0.5,
    voice: pick(voices),
    format: random() < 0.85 ? 'wav' : 'mp3',
    text: kind === 'hit' ? pick(HIT_PHRASES) : missSentence(nextMiss()),
    leave: random() < mix.leaveShare,
  };
}

/** The request's path and JSON body: both routes ask for the same synthesis key (text_lang `auto`, defaults). */
export function requestOf(spec: Pick<RequestSpec, 'route' | 'stream' | 'voice' | 'format' | 'text'>): { path: string; body: string } {
  if (spec.route === 'speech') {
    return { path: '/v1/audio/speech', body: JSON.stringify({ model: 'gsv', input: spec.text, voice: spec.voice, response_format: spec.format }) };
  }
  return { path: '/v1/tts', body: JSON.stringify({ text: spec.text, text_lang: 'auto', voice: spec.voice, format: spec.format, stream: spec.stream }) };
}
