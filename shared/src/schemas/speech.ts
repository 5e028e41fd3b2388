/**
 * `POST /v1/audio/speech`: OpenAI's speech endpoint, so the official `openai` clients work with a changed base URL.
 *
 * Unknown fields are rejected, as OpenAI's API does. `model` is required, as OpenAI requires it, and any name is
 * accepted: the voice decides which GPT-SoVITS weights speak. Sampling uses GPT-SoVITS's defaults, the language is
 * detected (`auto`), and the seed is derived from the request, so the same request always gives the same audio.
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
} from './common.ts';
import { DEFAULT_FRAGMENT_INTERVAL, SAMPLING_DEFAULTS, type SynthesisParams } from './synthesis.ts';

const NATIVE_ONLY_HINT = 'a GPT-SoVITS parameter: send it to POST /v1/tts, which takes every GPT-SoVITS option';

export const SPEECH_FIELD_HINTS: FieldHints = {
  instructions:
    'not supported: a GPT-SoVITS voice takes its style from its reference audio; create a voice for each style instead',
  ...Object.fromEntries(
    ['text_lang', 'top_k', 'top_p', 'temperature', 'repetition_penalty', 'seed', 'text_split_method', 'fragment_interval'].map(
      (field) => [field, NATIVE_ONLY_HINT],
    ),
  ),
};

export const streamFormatSchema = z.enum(['audio', 'sse']);
export type StreamFormat = z.infer<typeof streamFormatSchema>;

export interface SpeechRequest {
  readonly model: string;
  readonly params: SynthesisParams;
  /** `audio`: the bytes of the file, sent as produced; `sse`: OpenAI's `speech.audio.delta` events. */
  readonly stream_format: StreamFormat;
}

export function speechRequestSchema(maxInputChars = DEFAULT_MAX_INPUT_CHARS) {
  return z
    .strictObject({
      model: z.string().min(1).max(128),
      input: synthesisTextSchema(maxInputChars),
      voice: z.union([idSchema, z.strictObject({ id: idSchema })], {
        error: (issue) =>
          issue.input === undefined ? 'is required' : 'must be a voice id string or an object {"id": "..."}',
      }),
      response_format: audioFormatSchema.default('mp3'),
      speed: speedSchema.default(1),
      stream_format: streamFormatSchema.default('audio'),
    })
    .transform(
      (body): SpeechRequest => ({
        model: body.model,
        stream_format: body.stream_format,
        params: {
          text: body.input.normalize('NFC'),
          text_lang: 'auto',
          voice: typeof body.voice === 'string' ? body.voice : body.voice.id,
          ...SAMPLING_DEFAULTS,
          seed: null,
          speed: body.speed,
          text_split_method: 'cut5',
          fragment_interval: DEFAULT_FRAGMENT_INTERVAL,
          format: body.response_format,
          chunking: { mode: 'segment' },
        },
      }),
    );
}
