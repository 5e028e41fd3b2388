/**
 * What a registered voice contributes to every synthesis, computed once: the reference's semantic tokens (HuBERT →
 * SoVITS codebook), its style vector `ge` (averaged over the main and auxiliary references, as GPT-SoVITS does),
 * and the prompt text's phones and BERT features.
 *
 * Stored as one binary file per voice version: "GSVF", a u32 JSON header length, a JSON header naming each array
 * and the SHA-256 of their bytes, then the arrays' bytes, so a restart reads features instead of recomputing them.
 * Reading checks the whole layout and the hash, so a truncated or damaged file is refused, never read as features.
 * @module
 */
import { createHash } from 'node:crypto';

/** Bump when the way features are computed changes (frontend, resampling): every voice version changes with it. */
export const FEATURES_FORMAT_VERSION = 1;

export interface VoiceFeatures {
  /** Content hash of everything the features were computed from. */
  readonly version: string;
  readonly promptTokens: Int32Array;
  /** `[gin]`. */
  readonly ge: Float32Array;
  readonly promptPhoneIds: Int32Array;
  /** `[promptPhones, 1024]`, phone-major. */
  readonly promptBert: Float32Array;
  /** v3/v4: the CFM's prompt, the main reference's last `frames` mel and feature frames (see extract-features.ts). */
  readonly cfmPrompt?: CfmPrompt;
}

export interface CfmPrompt {
  readonly frames: number;
  /** `[melDim, frames]`, channel-major, normalised (`norm_spec`). */
  readonly mel: Float32Array;
  /** `[feaDim, frames]`, channel-major (`decode_encp` of the prompt). */
  readonly fea: Float32Array;
}

interface ArrayEntry {
  readonly name: 'promptTokens' | 'ge' | 'promptPhoneIds' | 'promptBert' | 'cfmMel' | 'cfmFea';
  readonly dtype: 'int32' | 'float32';
  readonly offset: number;
  readonly length: number;
}

const MAGIC = 'GSVF';

export function serializeFeatures(features: VoiceFeatures): Uint8Array {
  const arrays = [
    ['promptTokens', 'int32', features.promptTokens],
    ['ge', 'float32', features.ge],
    ['promptPhoneIds', 'int32', features.promptPhoneIds],
    ['promptBert', 'float32', features.promptBert],
    ...(features.cfmPrompt === undefined
      ? []
      : ([
          ['cfmMel', 'float32', features.cfmPrompt.mel],
          ['cfmFea', 'float32', features.cfmPrompt.fea],
        ] as const)),
  ] as const;
  const entries: ArrayEntry[] = [];
  let offset = 0;
  for (const [name, dtype, data] of arrays) {
    entries.push({ name, dtype, offset, length: data.length });
    offset += data.byteLength;
  }
  const body = new Uint8Array(offset);
  for (const [index, [, , data]] of arrays.entries()) {
    body.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), (entries[index] as ArrayEntry).offset);
  }
  const header = new TextEncoder().encode(
    JSON.stringify({
      format: FEATURES_FORMAT_VERSION,
      version: features.version,
      arrays: entries,
      sha256: sha256Hex(body),
      ...(features.cfmPrompt === undefined ? {} : { cfmFrames: features.cfmPrompt.frames }),
    }),
  );
  // Pad the header so every array starts 4-byte aligned.
  const headerLength = Math.ceil(header.length / 4) * 4;
  const out = new Uint8Array(8 + headerLength + offset);
  out.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(out.buffer).setUint32(4, headerLength, true);
  out.fill(0x20, 8, 8 + headerLength);
  out.set(header, 8);
  out.set(body, 8 + headerLength);
  return out;
}

/** A feature file that cannot be read as features: truncated, damaged, or not one at all. */
export class FeatureFileError extends Error {
  override readonly name = 'FeatureFileError';
}

const BYTES_PER_ELEMENT = 4;

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

interface FeatureHeader {
  readonly format: number;
  readonly version: string;
  readonly arrays: readonly ArrayEntry[];
  /** Absent in files written before it was added: those are checked by layout only. */
  readonly sha256?: string;
  readonly cfmFrames?: number;
}

function parseHeader(bytes: Uint8Array, label: string): { header: FeatureHeader; bodyStart: number } {
  if (bytes.length < 8 || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) throw new FeatureFileError(`${label} is not a voice feature file`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, true);
  if (8 + headerLength > bytes.length) throw new FeatureFileError(`${label} is truncated (its header runs past the end of the file)`);
  let header: FeatureHeader;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as FeatureHeader;
  } catch (error) {
    throw new FeatureFileError(`${label} has a damaged header`, { cause: error });
  }
  if (typeof header !== 'object' || !Array.isArray(header.arrays)) throw new FeatureFileError(`${label} has a damaged header`);
  return { header, bodyStart: 8 + headerLength };
}

export function deserializeFeatures(bytes: Uint8Array, label: string): VoiceFeatures {
  const { header, bodyStart } = parseHeader(bytes, label);
  if (header.format !== FEATURES_FORMAT_VERSION) throw new FeatureFileError(`${label} has feature format ${String(header.format)}`);
  const expected = header.arrays.reduce((end, entry) => Math.max(end, entry.offset + entry.length * BYTES_PER_ELEMENT), 0);
  if (bytes.length - bodyStart !== expected) {
    throw new FeatureFileError(`${label} is truncated or damaged: ${String(bytes.length - bodyStart)} bytes of arrays where its header describes ${String(expected)}`);
  }
  // A copy, not a view: Node Buffers share pooled memory and are not aligned for Float32Array views.
  const body = new Uint8Array(bytes.length - bodyStart);
  body.set(bytes.subarray(bodyStart));
  if (header.sha256 !== undefined && sha256Hex(body) !== header.sha256) throw new FeatureFileError(`${label} is damaged: its arrays do not match their SHA-256`);
  const read = (name: ArrayEntry['name']): Int32Array | Float32Array => {
    const entry = header.arrays.find((candidate) => candidate.name === name);
    if (entry === undefined) throw new FeatureFileError(`${label} lacks ${name}`);
    return entry.dtype === 'int32'
      ? new Int32Array(body.buffer, entry.offset, entry.length)
      : new Float32Array(body.buffer, entry.offset, entry.length);
  };
  const base = {
    version: header.version,
    promptTokens: read('promptTokens') as Int32Array,
    ge: read('ge') as Float32Array,
    promptPhoneIds: read('promptPhoneIds') as Int32Array,
    promptBert: read('promptBert') as Float32Array,
  };
  if (header.cfmFrames === undefined) return base;
  return { ...base, cfmPrompt: { frames: header.cfmFrames, mel: read('cfmMel') as Float32Array, fea: read('cfmFea') as Float32Array } };
}
