/**
 * The canonical synthesis key: one SHA-256 that names a piece of audio. Two requests get the same key exactly when
 * they must produce the same bytes, which is what lets the gateway replay cached audio without a GPU.
 *
 * The key hashes RFC 8785 canonical JSON (sorted keys, one number spelling, via the `canonicalize` package) of the
 * normalized parameters (defaults filled in, text in Unicode NFC) plus the voice version and the model bundle hash,
 * so editing a voice or replacing weights never replays stale audio.
 * @module
 */
import canonicalize from 'canonicalize';
import { sha256Hex } from './bytes.ts';
import { RANDOM_SEED, type SynthesisParams } from './schemas/synthesis.ts';

/** Bump when the meaning of the key material changes; old cache entries then simply stop matching. */
export const SYNTHESIS_KEY_VERSION = 1;

/** What, besides the request, decides the audio: the voice's content version and the weights' hash. */
export interface VoiceIdentity {
  readonly version: string;
  readonly model_sha256: string;
}

export function canonicalSynthesisJson(params: SynthesisParams, voice: VoiceIdentity): string {
  const material = {
    key_version: SYNTHESIS_KEY_VERSION,
    voice_version: voice.version,
    model_sha256: voice.model_sha256,
    params: { ...params, text: params.text.normalize('NFC') },
  };
  const json = canonicalize(material);
  if (json === undefined) throw new TypeError('synthesis parameters are not serializable');
  return json;
}

export async function synthesisKey(params: SynthesisParams, voice: VoiceIdentity): Promise<string> {
  return sha256Hex(canonicalSynthesisJson(params, voice));
}

/** The seed used when the caller gives none: the key's first 32 bits, so identical requests sample identically. */
export function seedFromKey(key: string): number {
  return Number.parseInt(key.slice(0, 8), 16);
}

export interface ResolvedSynthesis {
  /** `null` when the seed is random: such audio is never cached or replayed. */
  readonly synthesisKey: string | null;
  readonly seed: number;
}

/** Applies the seed rule: absent → derived from the key; `-1` → random and uncacheable; otherwise as given. */
export async function resolveSynthesis(params: SynthesisParams, voice: VoiceIdentity): Promise<ResolvedSynthesis> {
  if (params.seed === RANDOM_SEED) {
    return { synthesisKey: null, seed: crypto.getRandomValues(new Uint32Array(1))[0] ?? 0 };
  }
  const key = await synthesisKey(params, voice);
  return { synthesisKey: key, seed: params.seed ?? seedFromKey(key) };
}
