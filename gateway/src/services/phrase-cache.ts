/**
 * The phrase cache: audio by synthesis key, in the Cache API (per data center, fast) in front of R2 (durable,
 * everywhere). A key names exactly one piece of audio (see shared/src/cache-key.ts), so entries never go stale and
 * need no invalidation; a changed voice simply produces new keys.
 * @module
 */
import { SYNTHESIS_HEADERS } from '@gsv-edge/shared';
import { isSingleRange, parseRange } from './byte-range.ts';

/** What the gateway remembers about a phrase besides its bytes. */
export interface PhraseMeta {
  readonly contentType: string;
  readonly seed: string;
  readonly sampleRate: string | null;
  readonly characters: number;
  readonly audioSeconds: number | null;
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
/** Audio under a synthesis key never changes, so the client may keep it; shared caches may not (it is paid for). */
export const CLIENT_CACHE_CONTROL = 'private, max-age=86400, immutable';

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

  async match(key: string, range: string | null): Promise<CachedPhrase | null> {
    const edge = await caches.open(EDGE_CACHE_NAME);
    const url = this.#edgeUrl(key);
    let hit = await edge.match(new Request(url, isSingleRange(range) ? { headers: { range } } : {}));
    if (hit?.status === 416) hit = await edge.match(url);
    if (hit !== undefined && hit.body !== null && (hit.status === 200 || hit.status === 206)) {
      const headers = new Headers(hit.headers);
      // The stored copy is `public` for the Cache API's sake; what the client gets is its own, authenticated answer.
      for (const name of ['age', 'cf-cache-status', 'expires', 'date']) headers.delete(name);
      headers.set('cache-control', CLIENT_CACHE_CONTROL);
      return { status: hit.status, body: hit.body as ReadableStream<Uint8Array>, headers, tier: 'edge', meta: metaFromHeaders(hit.headers) };
    }

    const object = await this.#bucket.get(r2Key(key));
    if (object === null) return null;
    const audio = new Uint8Array(await object.arrayBuffer());
    const meta = metaFromCustom(object.customMetadata ?? {}, object.httpMetadata?.contentType);
    this.#waitUntil(this.#putEdge(edge, key, audio, meta));
    const slice = parseRange(range, audio.length);
    const headers = phraseHeaders(key, meta, audio.length);
    if (slice === null) return { status: 200, body: streamOf(audio), headers, tier: 'r2', meta };
    headers.set('content-range', `bytes ${String(slice.start)}-${String(slice.end)}/${String(audio.length)}`);
    headers.set('content-length', String(slice.end - slice.start + 1));
    return { status: 206, body: streamOf(audio.subarray(slice.start, slice.end + 1)), headers, tier: 'r2', meta };
  }

  /** Stores durably first, then in this data center's cache. */
  async store(key: string, audio: Uint8Array, meta: PhraseMeta): Promise<void> {
    await this.#bucket.put(r2Key(key), audio, {
      httpMetadata: { contentType: meta.contentType },
      customMetadata: {
        seed: meta.seed,
        characters: String(meta.characters),
        ...(meta.sampleRate === null ? {} : { sample_rate: meta.sampleRate }),
        ...(meta.audioSeconds === null ? {} : { audio_seconds: String(meta.audioSeconds) }),
      },
    });
    await this.#putEdge(await caches.open(EDGE_CACHE_NAME), key, audio, meta);
  }

  async #putEdge(edge: Cache, key: string, audio: Uint8Array, meta: PhraseMeta): Promise<void> {
    const headers = phraseHeaders(key, meta, audio.length);
    headers.set('cache-control', `public, max-age=${String(this.#edgeTtlSeconds)}, immutable`);
    await edge.put(this.#edgeUrl(key), new Response(audio, { headers }));
  }

  #edgeUrl(key: string): string {
    return `${this.#baseUrl}/_phrase-cache/v1/${key}`;
  }
}

function r2Key(key: string): string {
  return `phrases/${key.slice(0, 2)}/${key}`;
}

function phraseHeaders(key: string, meta: PhraseMeta, size: number): Headers {
  const headers = new Headers({
    'content-type': meta.contentType,
    'content-length': String(size),
    'accept-ranges': 'bytes',
    'cache-control': CLIENT_CACHE_CONTROL,
    etag: `"${key}"`,
    [SYNTHESIS_HEADERS.synthesisKey]: key,
    [SYNTHESIS_HEADERS.seed]: meta.seed,
    [SYNTHESIS_HEADERS.characters]: String(meta.characters),
  });
  if (meta.sampleRate !== null) headers.set(SYNTHESIS_HEADERS.sampleRate, meta.sampleRate);
  if (meta.audioSeconds !== null) headers.set(SYNTHESIS_HEADERS.audioSeconds, String(meta.audioSeconds));
  return headers;
}

function metaFromHeaders(headers: Headers): PhraseMeta {
  const seconds = headers.get(SYNTHESIS_HEADERS.audioSeconds);
  return {
    contentType: headers.get('content-type') ?? 'application/octet-stream',
    seed: headers.get(SYNTHESIS_HEADERS.seed) ?? '',
    sampleRate: headers.get(SYNTHESIS_HEADERS.sampleRate),
    characters: Number(headers.get(SYNTHESIS_HEADERS.characters) ?? 0),
    audioSeconds: seconds === null ? null : Number(seconds),
  };
}

function metaFromCustom(custom: Record<string, string>, contentType: string | undefined): PhraseMeta {
  return {
    contentType: contentType ?? 'application/octet-stream',
    seed: custom.seed ?? '',
    sampleRate: custom.sample_rate ?? null,
    characters: Number(custom.characters ?? 0),
    audioSeconds: custom.audio_seconds === undefined ? null : Number(custom.audio_seconds),
  };
}

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return (new Response(bytes).body ?? new ReadableStream()) as ReadableStream<Uint8Array>;
}
