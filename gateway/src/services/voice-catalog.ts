/**
 * The voices (the gateway's own table, D1), as this isolate last read them: each synthesis needs the voice's version
 * and model hash for its synthesis key, and reading D1 every time would put a round trip on every cache hit.
 *
 * A cached list is trusted for VOICE_CACHE_TTL_SECONDS. An unknown voice triggers a refresh before the gateway
 * answers `voice_not_found` (it may just have been created), at most once per {@link UNKNOWN_VOICE_REFRESH_MS}, so
 * requests naming made-up voices cannot turn into D1 queries; and a `voice_version_mismatch` from a GPU function
 * invalidates the list, so a voice changed by another isolate is picked up at once instead of after the TTL.
 * @module
 */
import { ApiError, type Voice } from '@gsv-edge/shared';
import type { GatewayConfig } from '../config.ts';
import { VoiceStore } from './voice-store.ts';

export type VoiceLoader = () => Promise<readonly Voice[]>;

/** An unknown voice refreshes the list only if the list is older than this. */
export const UNKNOWN_VOICE_REFRESH_MS = 5000;

export class VoiceCatalog {
  #load: VoiceLoader;
  readonly ttlMs: number;
  readonly #now: () => number;
  #voices: ReadonlyMap<string, Voice> | null = null;
  #loadedAt = 0;
  #loading: Promise<ReadonlyMap<string, Voice>> | null = null;

  constructor(load: VoiceLoader, ttlMs: number, now: () => number = Date.now) {
    this.#load = load;
    this.ttlMs = ttlMs;
    this.#now = now;
  }

  async list(): Promise<Voice[]> {
    return [...(await this.#current()).values()];
  }

  /** The voice from this isolate's list, if the list is fresh: no I/O. */
  peek(id: string): Voice | undefined {
    return this.#voices !== null && this.#now() - this.#loadedAt < this.ttlMs ? this.#voices.get(id) : undefined;
  }

  async get(id: string): Promise<Voice> {
    const current = await this.#current();
    const voice = current.get(id) ?? (this.#now() - this.#loadedAt >= UNKNOWN_VOICE_REFRESH_MS ? (await this.#refresh()).get(id) : undefined);
    if (voice === undefined) throw voiceNotFound(id);
    return voice;
  }

  /** Replaces the loader, so a refresh uses the latest request's configuration and request id. */
  useLoader(load: VoiceLoader): this {
    this.#load = load;
    return this;
  }

  invalidate(): void {
    this.#voices = null;
  }

  async #current(): Promise<ReadonlyMap<string, Voice>> {
    if (this.#voices !== null && this.#now() - this.#loadedAt < this.ttlMs) return this.#voices;
    return this.#refresh();
  }

  /** Concurrent refreshes share one load. */
  #refresh(): Promise<ReadonlyMap<string, Voice>> {
    this.#loading ??= this.#load()
      .then((voices) => {
        this.#voices = new Map(voices.map((voice) => [voice.id, voice]));
        this.#loadedAt = this.#now();
        return this.#voices;
      })
      .finally(() => {
        this.#loading = null;
      });
    return this.#loading;
  }
}

let catalog: VoiceCatalog | null = null;

/** The isolate's catalog, loading from the gateway's own voice table (D1). */
export function voiceCatalog(env: Pick<Cloudflare.Env, 'DB' | 'PHRASES'>, config: Pick<GatewayConfig, 'voiceCacheTtlMs'>): VoiceCatalog {
  const load = () => new VoiceStore(env).list();
  if (catalog === null || catalog.ttlMs !== config.voiceCacheTtlMs) catalog = new VoiceCatalog(load, config.voiceCacheTtlMs);
  return catalog.useLoader(load);
}

/** Also the answer for a voice the key may not use, so a key cannot tell other voices exist. */
export function voiceNotFound(id: string): ApiError {
  return new ApiError('voice_not_found', `No voice "${id}"; GET /v1/voices lists the voices.`, { param: 'voice' });
}
