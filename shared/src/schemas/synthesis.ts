/**
 * Normalized synthesis parameters: what both public routes reduce to, what the synthesis key hashes and what the
 * gateway sends the GPU function. Every field is present (defaults filled in) so two requests that mean the same
 * thing produce the same object.
 * @module
 */
import { z } from 'zod';
import {
  audioFormatSchema,
  idSchema,
  speedSchema,
  textLanguageSchema,
  textSplitMethodSchema,
} from './common.ts';

/** GPT-SoVITS's sampling defaults (api_v2.py `TTS_Request`). */
export const SAMPLING_DEFAULTS = {
  top_k: 15,
  top_p: 1,
  temperature: 1,
  repetition_penalty: 1.35,
} as const;

/** GPT-SoVITS's silence after every segment, in seconds. */
export const DEFAULT_FRAGMENT_INTERVAL = 0.3;

/** The T2S vocabulary is 1024 semantic tokens plus EOS, so a larger top_k keeps everything. */
export const MAX_TOP_K = 1025;

export const topKSchema = z.number().int().min(1).max(MAX_TOP_K);
export const topPSchema = z.number().gt(0).max(1);
export const temperatureSchema = z.number().gt(0).max(2);
export const repetitionPenaltySchema = z.number().gt(0).max(2);
export const fragmentIntervalSchema = z.number().min(0).max(3);

/** `-1` asks for a random seed (the result is then never cached); other values are used as given. */
export const RANDOM_SEED = -1;
export const MAX_SEED = 0xffff_ffff;
export const seedSchema = z.number().int().min(RANDOM_SEED).max(MAX_SEED);

/**
 * Euler steps per CFM chunk for v3/v4 models (GPT-SoVITS's `sample_steps`; its WebUI offers 4-128). Cost grows with it
 * linearly, so it is capped; fewer than 4 steps gives noise, not speech.
 */
export const MIN_SAMPLE_STEPS = 4;
export const MAX_SAMPLE_STEPS = 128;
export const sampleStepsSchema = z.number().int().min(MIN_SAMPLE_STEPS).max(MAX_SAMPLE_STEPS);

/** Token-chunk streaming knobs (GPT-SoVITS streaming modes 2 and 3). */
export const minChunkLengthSchema = z.number().int().min(4).max(256);
export const overlapLengthSchema = z.number().int().min(0).max(16);
export const CHUNKING_DEFAULTS = { min_chunk_length: 16, overlap_length: 2 } as const;

/**
 * How audio is cut while it is generated. `segment` yields whole text segments; `tokens` also yields pieces inside a
 * segment, splitting at quiet tokens (`quiet`, GPT-SoVITS mode 2) or every `min_chunk_length` tokens (`fixed`,
 * mode 3), which changes the audio at the seams and therefore belongs to the synthesis key.
 */
export const chunkingSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('segment') }),
  z.strictObject({
    mode: z.literal('tokens'),
    split: z.enum(['quiet', 'fixed']),
    min_chunk_length: minChunkLengthSchema,
    overlap_length: overlapLengthSchema,
  }),
]);
export type Chunking = z.infer<typeof chunkingSchema>;

export const synthesisParamsSchema = z.strictObject({
  /** NFC-normalized. */
  text: z.string().min(1),
  text_lang: textLanguageSchema,
  voice: idSchema,
  top_k: topKSchema,
  top_p: topPSchema,
  temperature: temperatureSchema,
  repetition_penalty: repetitionPenaltySchema,
  /** `null`: derive the seed from the synthesis key; `-1`: random; otherwise the seed itself. */
  seed: seedSchema.nullable(),
  speed: speedSchema,
  text_split_method: textSplitMethodSchema,
  fragment_interval: fragmentIntervalSchema,
  format: audioFormatSchema,
  chunking: chunkingSchema,
  /**
   * v3/v4 only: present when the caller chose it, else the model's default (32) is used. Absent rather than null so
   * that the synthesis keys of requests without it stay what they were before v3/v4 existed; v1/v2 models ignore it.
   */
  sample_steps: sampleStepsSchema.optional(),
});
export type SynthesisParams = z.infer<typeof synthesisParamsSchema>;
