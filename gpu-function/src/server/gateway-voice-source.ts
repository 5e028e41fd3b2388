/**
 * Fetches voices from the gateway, which owns them: a voice's definition and its recordings, over the gateway's
 * internal routes, signed with the same HMAC scheme the gateway uses towards this function.
 * @module
 */
import { ApiError, errorEnvelopeSchema, GATEWAY_INTERNAL_PATHS, signRequest, voiceSchema, type Voice } from '@gsv-edge/shared';
import type { VoiceSource } from '../engine/index.ts';

const TIMEOUT_MS = 30_000;

export class GatewayVoiceSource implements VoiceSource {
  readonly #base: string;
  readonly #secret: string;

  /** `base` is the gateway's URL as this function reaches it (a base path is allowed). */
  constructor(base: string, secret: string) {
    this.#base = base.replace(/\/+$/, '');
    this.#secret = secret;
  }

  async voice(id: string): Promise<Voice | null> {
    const response = await this.#get(GATEWAY_INTERNAL_PATHS.voice(id));
    if (response.status === 404) return null;
    const json: unknown = await response.json();
    const parsed = voiceSchema.safeParse(json);
    if (!parsed.success) throw unavailable(`answered a voice that does not match the contract`);
    return parsed.data;
  }

  async recording(sha256: string): Promise<Uint8Array> {
    const response = await this.#get(GATEWAY_INTERNAL_PATHS.voiceAudio(sha256));
    if (response.status === 404) throw unavailable(`has no recording ${sha256}`);
    return new Uint8Array(await response.arrayBuffer());
  }

  async #get(path: string): Promise<Response> {
    const url = new URL(`${this.#base}${path}`);
    const headers = await signRequest({ secret: this.#secret, audience: url.origin, method: 'GET', pathAndQuery: `${url.pathname}${url.search}`, body: '' });
    let response: Response;
    try {
      response = await fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch (error) {
      throw unavailable(`could not be reached (${error instanceof Error ? error.message : String(error)})`);
    }
    if (response.ok || response.status === 404) return response;
    const envelope = errorEnvelopeSchema.safeParse(await response.json().catch(() => null));
    throw unavailable(`answered ${String(response.status)}${envelope.success ? ` ${envelope.data.error.code}` : ''}`);
  }
}

function unavailable(what: string): ApiError {
  return new ApiError('origin_unavailable', `The gateway ${what} while this GPU function fetched a voice.`);
}
