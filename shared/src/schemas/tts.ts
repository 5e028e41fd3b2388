/**
 * `POST /v1/tts`: the native route, with GPT-SoVITS api_v2.py's parameter names and defaults.
 *
 * Unknown fields are rejected. So that existing api_v2 clients can switch by changing the URL, the api_v2 names
 * `speed_factor`, `media_type` and `streaming_mode` are accepted as aliases, and its scheduling knobs (`batch_size`,
 * `batch_threshold`, `split_bucket`, `parallel_infer`) and v3's `super_sampling` are accepted and have no effect:
 * gsv-edge batches across requests, and has no audio super-resolution model. `sample_steps` (v3/v4's Euler steps) is
 * used by v3/v4 voices and ignored by others, as GPT-SoVITS does.
 * The reference-audio fields are refused with a pointer to voices.
 * @module
 */
import { z } from 'zod';
import type { FieldHints } from '../errors/validation.ts';
import {
  audioFormatSchema,
  DEFAULT_MAX_INPUT_CHARS,
  idSchema,
  speedSchema,
  synthesisTextSchema,
  textLanguageSchema,
  textSplitMethodSchema,
  type AudioFormat,
} from './common.ts';
import {
  CHUNKING_DEFAULTS,
  DEFAULT_FRAGMENT_INTERVAL,
  fragmentIntervalSchema,
  minChunkLengthSchema,
  overlapLengthSchema,
  repetitionPenaltySchema,
  SAMPLING_DEFAULTS,
  sampleStepsSchema,
  seedSchema,
  temperatureSchema,
  topKSchema,
  topPSchema,
  type Chunking,
  type SynthesisParams,
} from './synthesis.ts';

/** GPT-SoVITS `streaming_mode`: 0 off, 1 per segment, 2 token chunks cut at quiet tokens, 3 fixed token chunks. */
export const streamModeSchema = z.union([z.boolean(), z.literal(0), z.literal(1), z.literal(2), z.literal(3)], {
  error: 'must be true, false, or a GPT-SoVITS streaming_mode 0-3',
});

/** api_v2 `media_type` values and the format each becomes. Ogg/Vorbis is served as Ogg/Opus. */
const MEDIA_TYPE_FORMATS = { wav: 'wav', raw: 'pcm', aac: 'aac', ogg: 'opus' } as const satisfies Record<
  string,
  AudioFormat
>;
const mediaTypeSchema = z.enum(['wav', 'raw', 'aac', 'ogg']);

const REFERENCE_HINT =
  'the reference audio and its transcript belong to a voice, registered once by the operator (POST /admin/voices): list voices with GET /v1/voices and pass the id in `voice`';

export const TTS_FIELD_HINTS: FieldHints = {
  ref_audio_path: REFERENCE_HINT,
  aux_ref_audio_paths: REFERENCE_HINT,
  prompt_text: REFERENCE_HINT,
  prompt_lang: REFERENCE_HINT,
};

export interface TtsRequest {
  readonly params: SynthesisParams;
  /** Send audio as it is produced rather than as one file. */
  readonly stream: boolean;
}

export function ttsRequestSchema(maxInputChars = DEFAULT_MAX_INPUT_CHARS) {
  return z
    .strictObject({
      text: synthesisTextSchema(maxInputChars),
      text_lang: textLanguageSchema.default('auto'),
      voice: idSchema,
      top_k: topKSchema.default(SAMPLING_DEFAULTS.top_k),
      top_p: topPSchema.default(SAMPLING_DEFAULTS.top_p),
      temperature: temperatureSchema.default(SAMPLING_DEFAULTS.temperature),
      repetition_penalty: repetitionPenaltySchema.default(SAMPLING_DEFAULTS.repetition_penalty),
      seed: seedSchema.optional(),
      speed: speedSchema.optional(),
      speed_factor: speedSchema.optional(),
      text_split_method: textSplitMethodSchema.default('cut5'),
      fragment_interval: fragmentIntervalSchema.default(DEFAULT_FRAGMENT_INTERVAL),
      format: audioFormatSchema.optional(),
      media_type: mediaTypeSchema.optional(),
      stream: streamModeSchema.optional(),
      streaming_mode: streamModeSchema.optional(),
      min_chunk_length: minChunkLengthSchema.default(CHUNKING_DEFAULTS.min_chunk_length),
      overlap_length: overlapLengthSchema.default(CHUNKING_DEFAULTS.overlap_length),
      batch_size: z.number().int().min(1).optional(),
      batch_threshold: z.number().min(0).max(1).optional(),
      split_bucket: z.boolean().optional(),
      parallel_infer: z.boolean().optional(),
      sample_steps: sampleStepsSchema.optional(),
      super_sampling: z.boolean().optional(),
    })
    .superRefine((body, ctx) => {
      const aliases = [
        ['speed', 'speed_factor'],
        ['format', 'media_type'],
        ['stream', 'streaming_mode'],
      ] as const;
      for (const [name, alias] of aliases) {
        if (body[name] !== undefined && body[alias] !== undefined) {
          ctx.addIssue({ code: 'custom', path: [alias], message: `is another name for \`${name}\`: give only one of them` });
        }
      }
    })
    .transform((body): TtsRequest => {
      const streamMode = toStreamMode(body.stream ?? body.streaming_mode ?? false);
      const format = body.format ?? (body.media_type === undefined ? 'wav' : MEDIA_TYPE_FORMATS[body.media_type]);
      const chunking: Chunking =
        streamMode < 2
          ? { mode: 'segment' }
          : {
              mode: 'tokens',
              split: streamMode === 2 ? 'quiet' : 'fixed',
              min_chunk_length: body.min_chunk_length,
              overlap_length: body.overlap_length,
            };
      return {
        stream: streamMode > 0,
        params: {
          text: body.text.normalize('NFC'),
          text_lang: body.text_lang,
          voice: body.voice,
          top_k: body.top_k,
          top_p: body.top_p,
          temperature: body.temperature,
          repetition_penalty: body.repetition_penalty,
          seed: body.seed ?? null,
          speed: body.speed ?? body.speed_factor ?? 1,
          text_split_method: body.text_split_method,
          fragment_interval: body.fragment_interval,
          format,
          chunking,
          ...(body.sample_steps === undefined ? {} : { sample_steps: body.sample_steps }),
        },
      };
    });
}

function toStreamMode(value: boolean | 0 | 1 | 2 | 3): 0 | 1 | 2 | 3 {
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value;
}
