/**
 * The phrase cache: audio by phrase id, in the Cache API (per data center, fast, not billed per operation) in front
 * of R2 (durable, everywhere, billed per operation). A phrase id is the synthesis key scoped to whoever may share
 * the phrase (an account, or everyone; see {@link phraseIdOf}), so one account can neither replay nor detect
 * another's phrases, and a synthesis key names exactly one piece of audio, so entries never go stale.
 *
 * Nothing here holds a whole phrase in memory: reads stream from the Cache API or R2 (R2 reads only the range
 * asked for), and writes go through {@link PhraseWriter}, which streams into R2 in fixed-size parts.
 * @module
 */
import { sha256Hex, SYNTHESIS_HEADERS } from '@gsv-edge/shared';
import { isSingleRange, parseRange } from './byte-range.ts';
import { PhraseWriter, type WriterLimits } from './phrase-writer.ts';

/** What the gateway remembers about a phrase besides its bytes. */
export interface PhraseMeta {
  readonly contentType: string;
  readonly seed: string;
  readonly sampleRate: string | null;
  readonly characters: number;
  readonly audioSeconds: number | null;
  /** The voice that spoke it: a key that may no longer use the voice may not play the phrase either. */
  readonly voice: string | null;
}

export interface CachedPhrase {
  readonly status: 200 | 206;
  readonly body: ReadableStream<Uint8Array>;
  /** Content-Type, -Length, -Range, ETag, Accept-Ranges and the x-gsv-* headers. */
  readonly headers: Headers;
  readonly tier: 'edge' | 'r2';
  readonly meta: PhraseMeta;
}

const EDGE_CACHE_NAME = 'gsv-phrases';
/** Not a public header: how the stored copy remembers its voice. */
const VOICE_HEADER = 'x-gsv-voice';
/** Audio under a synthesis key never changes, so the client may keep it; shared caches may not (it is paid for). */
export const CLIENT_CACHE_CONTROL = 'private, max-age=86400, immutable';

/** Who may share a phrase: the keys of one account, or (`global`) every key. */
export async function phraseIdOf(scope: string, synthesisKey: string): Promise<string> {
  return sha256Hex(`gsv-phrase-v2\n${scope}\n${synthesisKey}`);
}

export class PhraseCache {
  readonly #bucket: R2Bucket;
  readonly #baseUrl: string;
  readonly #edgeTtlSeconds: number;
  readonly #waitUntil: (promise: Promise<unknown>) => void;

  /** `baseUrl` is the gateway's own origin: Cache API entries live under the zone that serves the worker. */
  constructor(bucket: R2Bucket, baseUrl: string, edgeTtlSeconds: number, waitUntil: (promise: Promise<unknown>) => void) {
    this.#bucket = bucket;
    this.#baseUrl = baseUrl;
    this.#edgeTtlSeconds = edgeTtlSeconds;
    this.#waitUntil = waitUntil;
  }

  /** This data center's copy. Costs the operator nothing, so it may run before the request is admitted. */
  async matchEdge(phraseId: string, synthesisKey: string, range: string | null): Promise<CachedPhrase | null> {
    const edge = await caches.open(EDGE_CACHE_NAME);
    const url = this.#edgeUrl(phraseId);
    let hit = await edge.match(new Request(url, isSingleRange(range) ? { headers: { range } } : {}));
    if (hit?.status === 416) hit = await edge.match(url);
    if (hit === undefined || hit.body === null || (hit.status !== 200 && hit.status !== 206)) return null;
    const meta = metaFromHeaders(hit.headers);
    const headers = new Headers(hit.headers);
    // The stored copy is `public` for the Cache API's sake; what the client gets is its own, authenticated answer.
    for (const name of ['age', 'cf-cache-status', 'expires', 'date', VOICE_HEADER]) headers.delete(name);
    headers.set('cache-control', CLIENT_CACHE_CONTROL);
    headers.set('etag', `"${synthesisKey}"`);
    headers.set(SYNTHESIS_HEADERS.synthesisKey, synthesisKey);
    return { status: hit.status, body: hit.body as ReadableStream<Uint8Array>, headers, tier: 'edge', meta };
  }

  /**
   * The durable copy, read from R2 (billed per read: only after admission). Reads only the asked range, and
   * refills this data center's cache in the background with a separate streamed read.
   */
  async matchDurable(phraseId: string, synthesisKey: string, range: string | null): Promise<CachedPhrase | null> {
    const key = r2Key(phraseId);
    let object: R2ObjectBody | null;
    let slice = null;
    if (range === null) {
      object = await this.#bucket.get(key);
    } else {
      const head = await this.#bucket.head(key);
      if (head === null) return null;
      slice = parseRange(range, head.size);
      object = await this.#bucket.get(key, slice === null ? {} : { range: { offset: slice.start, length: slice.end - slice.start + 1 } });
    }
    if (object === null) return null;
    const meta = metaFromCustom(object.customMetadata ?? {}, object.httpMetadata?.contentType, object.size);
    this.#waitUntil(this.#refillEdge(phraseId));
    const headers = phraseHeaders(synthesisKey, meta, object.size);
    const body = object.body as ReadableStream<Uint8Array>;
    if (slice === null) return { status: 200, body, headers, tier: 'r2', meta };
    headers.set('content-range', `bytes ${String(slice.start)}-${String(slice.end)}/${String(object.size)}`);
    headers.set('content-length', String(slice.end - slice.start + 1));
    return { status: 206, body, headers, tier: 'r2', meta };
  }

  /**
   * A writer that streams one phrase into R2 and then into this data center's cache. A phrase stored in one piece is
   * also handed to `remember` (the isolate's hot phrases) once R2 has it.
   */
  writer(phraseId: string, meta: PhraseMeta, limits: WriterLimits, remember: (stored: Uint8Array, meta: PhraseMeta) => void = () => undefined): PhraseWriter {
    const toEdge = async (stored: Uint8Array | null) => {
      if (stored === null) return this.#refillEdge(phraseId);
      const known = { ...meta, audioSeconds: meta.audioSeconds ?? pcmSeconds(meta.contentType, stored.length, meta.sampleRate) };
      remember(stored, known);
      return this.#putEdge(phraseId, known, stored.length, stored);
    };
    return new PhraseWriter(this.#bucket, r2Key(phraseId), toCustomMetadata(meta), meta.contentType, limits, toEdge);
  }

  /** Copies the durable phrase into this data center's cache, streamed (never held whole in memory). */
  async #refillEdge(phraseId: string): Promise<void> {
    const object = await this.#bucket.get(r2Key(phraseId));
    if (object === null) return;
    const meta = metaFromCustom(object.customMetadata ?? {}, object.httpMetadata?.contentType, object.size);
    await this.#putEdge(phraseId, meta, object.size, object.body);
  }

  async #putEdge(phraseId: string, meta: PhraseMeta, size: number, body: ReadableStream | Uint8Array): Promise<void> {
    const headers = phraseHeaders(null, meta, size);
    headers.set('cache-control', `public, max-age=${String(this.#edgeTtlSeconds)}, immutable`);
    if (meta.voice !== null) headers.set(VOICE_HEADER, meta.voice);
    const edge = await caches.open(EDGE_CACHE_NAME);
    await edge.put(this.#edgeUrl(phraseId), new Response(body, { headers }));
  }

  #edgeUrl(phraseId: string): string {
    return `${this.#baseUrl}/_phrase-cache/v2/${phraseId}`;
  }
}

function r2Key(phraseId: string): string {
  return `phrases/v2/${phraseId.slice(0, 2)}/${phraseId}`;
}

/** The headers a whole phrase is answered with (and stored with, without a synthesis key). */
export function phraseHeaders(synthesisKey: string | null, meta: PhraseMeta, size: number): Headers {
  const headers = new Headers({
    'content-type': meta.contentType,
    'content-length': String(size),
    'accept-ranges': 'bytes',
    'cache-control': CLIENT_CACHE_CONTROL,
    [SYNTHESIS_HEADERS.seed]: meta.seed,
    [SYNTHESIS_HEADERS.characters]: String(meta.characters),
  });
  if (synthesisKey !== null) {
    headers.set('etag', `"${synthesisKey}"`);
    headers.set(SYNTHESIS_HEADERS.synthesisKey, synthesisKey);
  }
  if (meta.sampleRate !== null) headers.set(SYNTHESIS_HEADERS.sampleRate, meta.sampleRate);
  if (meta.audioSeconds !== null) headers.set(SYNTHESIS_HEADERS.audioSeconds, String(meta.audioSeconds));
  return headers;
}

function toCustomMetadata(meta: PhraseMeta): Record<string, string> {
  return {
    seed: meta.seed,
    characters: String(meta.characters),
    ...(meta.sampleRate === null ? {} : { sample_rate: meta.sampleRate }),
    ...(meta.audioSeconds === null ? {} : { audio_seconds: String(meta.audioSeconds) }),
    ...(meta.voice === null ? {} : { voice: meta.voice }),
  };
}

function metaFromHeaders(headers: Headers): PhraseMeta {
  const seconds = headers.get(SYNTHESIS_HEADERS.audioSeconds);
  return {
    contentType: headers.get('content-type') ?? 'application/octet-stream',
    seed: headers.get(SYNTHESIS_HEADERS.seed) ?? '',
    sampleRate: headers.get(SYNTHESIS_HEADERS.sampleRate),
    characters: Number(headers.get(SYNTHESIS_HEADERS.characters) ?? 0),
    audioSeconds: seconds === null ? null : Number(seconds),
    voice: headers.get(VOICE_HEADER),
  };
}

function metaFromCustom(custom: Record<string, string>, contentType: string | undefined, size: number): PhraseMeta {
  const type = contentType ?? 'application/octet-stream';
  const sampleRate = custom.sample_rate ?? null;
  return {
    contentType: type,
    seed: custom.seed ?? '',
    sampleRate,
    characters: Number(custom.characters ?? 0),
    // A phrase streamed into R2 in parts did not know its length when its metadata was written.
    audioSeconds: custom.audio_seconds === undefined ? pcmSeconds(type, size, sampleRate) : Number(custom.audio_seconds),
    voice: custom.voice ?? null,
  };
}

/** Seconds of 16-bit mono PCM or WAV (44-byte header) audio of `size` bytes; `null` for other encodings. */
export function pcmSeconds(contentType: string, size: number, sampleRate: string | null): number | null {
  const rate = Number(sampleRate);
  if (!(rate > 0)) return null;
  if (contentType.startsWith('audio/pcm')) return size / 2 / rate;
  if (contentType.startsWith('audio/wav')) return Math.max(0, size - 44) / 2 / rate;
  return null;
}
