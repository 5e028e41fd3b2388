/**
 * What the vocoder decodes: one text segment's semantic tokens (or a window of them, for token-chunk streaming),
 * with everything the decoder graph needs, and the per-item result/error types. Items are checked on the host before
 * any graph runs, so a bad item fails alone with a message naming its request, segment and field.
 * @module
 */
import { sovitsFrameCount } from '../../models/sovits/io.ts';

export interface VocoderItem {
  /** For error messages and metrics. */
  readonly requestId: string;
  /** Position of the segment in its request; with `seed`, selects the noise stream. */
  readonly segmentIndex: number;
  /** Semantic tokens, `[T]`, each in [0, codebook size). */
  readonly tokens: Int32Array;
  /** The segment's target phones only (GPT-SoVITS feeds VITS no prompt phones), `[P]`, P ≥ 1. */
  readonly phoneIds: Int32Array;
  /** Timbre vector of the voice, `[gin]`. */
  readonly ge: Float32Array;
  /** GPT-SoVITS `speed_factor` (> 0). */
  readonly speed: number;
  readonly seed: number;
  /** GPT-SoVITS: 0.5. */
  readonly noiseScale: number;
  /**
   * Absolute latent frame of the item's first noise column (default 0). A streaming window over tokens [s, b) of a
   * segment passes the frame where token s starts, so it decodes with the noise the whole segment would see there.
   */
  readonly noiseFrameOffset?: number;
}

/** The widths the decoder graph was built with (from the bundle manifest's `sovits.dims`). */
export interface VocoderDims {
  /** Noise channels (`inter_channels`). */
  readonly inter: number;
  readonly gin: number;
  readonly codebookSize: number;
  /** Phone vocabulary (symbol table size). */
  readonly symbols: number;
}

export class VocoderError extends Error {
  override readonly name = 'VocoderError';
  readonly requestId: string;
  readonly segmentIndex: number;

  constructor(item: Pick<VocoderItem, 'requestId' | 'segmentIndex'>, message: string, options?: ErrorOptions) {
    super(`vocoder: request ${item.requestId} segment ${item.segmentIndex}: ${message}`, options);
    this.requestId = item.requestId;
    this.segmentIndex = item.segmentIndex;
  }
}

/** Per item, in input order: the audio or why it failed (shaped like `PromiseSettledResult`). */
export type VocoderResult =
  | { readonly status: 'fulfilled'; readonly value: Float32Array }
  | { readonly status: 'rejected'; readonly reason: VocoderError };

/** Latent frames the item decodes to (its audio is this × 640 samples). */
export function itemFrameCount(item: VocoderItem): number {
  return sovitsFrameCount(item.tokens.length, item.speed);
}

/** Why the item cannot be decoded, or undefined when it can. */
export function itemProblem(item: VocoderItem, dims: VocoderDims): string | undefined {
  if (!Number.isInteger(item.segmentIndex) || item.segmentIndex < 0) return `segmentIndex must be a non-negative integer, got ${item.segmentIndex}`;
  if (item.tokens.length === 0) return 'tokens is empty (a segment needs at least one semantic token)';
  const badToken = firstOutside(item.tokens, dims.codebookSize);
  if (badToken !== undefined) return `tokens[${badToken}] = ${item.tokens[badToken]} is outside [0, ${dims.codebookSize})`;
  if (item.phoneIds.length === 0) return 'phoneIds is empty (the decoder cross-attends to the segment phones)';
  const badPhone = firstOutside(item.phoneIds, dims.symbols);
  if (badPhone !== undefined) return `phoneIds[${badPhone}] = ${item.phoneIds[badPhone]} is outside [0, ${dims.symbols})`;
  if (item.ge.length !== dims.gin) return `ge has ${item.ge.length} values, the decoder takes ${dims.gin}`;
  if (!item.ge.every(Number.isFinite)) return 'ge holds a non-finite value';
  if (!(item.speed > 0) || !Number.isFinite(item.speed)) return `speed must be a positive number, got ${item.speed}`;
  if (!(item.noiseScale >= 0) || !Number.isFinite(item.noiseScale)) return `noiseScale must be a non-negative number, got ${item.noiseScale}`;
  if (!Number.isInteger(item.seed) || item.seed < 0 || item.seed > 0xffffffff) return `seed must be an integer in [0, 4294967295], got ${item.seed}`;
  const offset = item.noiseFrameOffset ?? 0;
  if (!Number.isInteger(offset) || offset < 0) return `noiseFrameOffset must be a non-negative integer, got ${offset}`;
  return undefined;
}

function firstOutside(values: Int32Array, limit: number): number | undefined {
  const index = values.findIndex((value) => value < 0 || value >= limit);
  return index < 0 ? undefined : index;
}
