/**
 * A voice's version: one SHA-256 over everything its audio depends on — the model weights, the reference recordings
 * and the transcript with its language. The gateway computes it when a voice is created; a GPU function computes it
 * again over what it fetched and refuses a mismatch, so features of one version are never used for another. Every
 * synthesis key includes it, so a changed voice never replays old audio.
 * @module
 */
import canonicalize from 'canonicalize';
import { sha256Hex } from './bytes.ts';
import type { TextLanguage } from './schemas/common.ts';

/** Bump when the meaning of the version material changes. */
export const VOICE_VERSION_FORMAT = 1;

export interface VoiceMaterial {
  readonly model_sha256: string;
  /** SHA-256 of each recording as uploaded: the reference first, then the auxiliary ones in order. */
  readonly recordings: readonly string[];
  readonly prompt_text: string;
  readonly prompt_lang: TextLanguage;
}

export async function voiceVersion(material: VoiceMaterial): Promise<string> {
  const json = canonicalize({
    voice_version_format: VOICE_VERSION_FORMAT,
    model_sha256: material.model_sha256,
    recordings: material.recordings,
    prompt_text: material.prompt_text.normalize('NFC'),
    prompt_lang: material.prompt_lang,
  });
  if (json === undefined) throw new TypeError('voice material is not serializable');
  return sha256Hex(json);
}
