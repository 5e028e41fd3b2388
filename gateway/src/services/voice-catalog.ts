/**
 * The GPU function's voices, as this isolate last heard them: each synthesis needs the voice's version and model
 * hash for its synthesis key, and asking the GPU function every time would put a round trip on every cache hit.
 *
 * A cached list is trusted for VOICE_CACHE_TTL_SECONDS. An unknown voice triggers one refresh before the gateway
 * answers `voice_not_found` (it may just have been created), and a `voice_version_mismatch` from the GPU function
 * invalidates the list, so a changed voice is picked up at the next request instead of after the TTL.
 * @module
 */
import { ApiError, INTERNAL_PATHS, parseOrThrow, voiceListSchema, type Voice } from '@gsv-edge/shared';
import type { GatewayConfig } from '../config.ts';
import { callOrigin } from './origin-client.ts';

export type VoiceLoader = () => Promise<readonly Voice[]>;

export class VoiceCatalog {
  #load: VoiceLoader;
  readonly #ttlMs: number;
  readonly #now: () => number;
  #voices: ReadonlyMap<string, Voice> | null = null;
  #loadedAt = 0;
  #loading: Promise<ReadonlyMap<string, Voice>> | null = null;

  constructor(load: VoiceLoader, ttlMs: number, now: () => number = Date.now) {
    this.#load = load;
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  async list(): Promise<Voice[]> {
    return [...(await this.#current()).values()];
  }

  async get(id: string): Promise<Voice> {
    const voice = (await this.#current()).get(id) ?? (await this.#refresh()).get(id);
    if (voice === undefined) throw new ApiError('voice_not_found', `No voice "${id}"; GET /v1/voices lists the voices.`, { param: 'voice' });
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
    if (this.#voices !== null && this.#now() - this.#loadedAt < this.#ttlMs) return this.#voices;
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

const catalogs = new Map<string, VoiceCatalog>();

/** The isolate's catalog for this set of origins. */
export function voiceCatalog(config: GatewayConfig, secret: string, requestId: string): VoiceCatalog {
  const name = `${config.origins.join(',')} ${String(config.voiceCacheTtlMs)}`;
  const load = () => fetchVoices(config, secret, requestId);
  let catalog = catalogs.get(name);
  if (catalog === undefined) {
    catalog = new VoiceCatalog(load, config.voiceCacheTtlMs);
    catalogs.set(name, catalog);
  }
  return catalog.useLoader(load);
}

async function fetchVoices(config: GatewayConfig, secret: string, requestId: string): Promise<readonly Voice[]> {
  const answer = await callOrigin(config, secret, { method: 'GET', path: INTERNAL_PATHS.voices, body: '', requestId, requireBody: true });
  const json: unknown = await new Response(answer.body).json().catch(() => null);
  try {
    return parseOrThrow(voiceListSchema, json).data;
  } catch (error) {
    throw new ApiError('origin_unavailable', 'The GPU function answered a voice list that does not match the contract.', { cause: error });
  }
}
