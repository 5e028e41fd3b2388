/**
 * Voices: a model bundle plus a 3-10 s reference recording, its transcript and language, and optional auxiliary
 * references whose style vectors are averaged in (GPT-SoVITS's `aux_ref_audio_paths`). Audio is uploaded in the
 * request body, never named by a server path.
 * @module
 */
import { z } from 'zod';
import { idSchema, sha256HexSchema, textLanguageSchema } from './common.ts';

/** GPT-SoVITS's reference length gate, checked after decoding (the 16 kHz signal must hold 3-10 s). */
export const REFERENCE_MIN_SECONDS = 3;
export const REFERENCE_MAX_SECONDS = 10;
export const MAX_AUX_REFERENCES = 8;
/** Base64 characters; 8 MiB covers 10 s of 48 kHz stereo float WAV with room to spare. */
export const MAX_REFERENCE_BASE64_CHARS = 8 * 1024 * 1024;
export const MAX_PROMPT_TEXT_CHARS = 1000;

/** An uploaded audio file (WAV, FLAC, MP3 or Ogg), base64-encoded. */
export const audioUploadSchema = z.base64().max(MAX_REFERENCE_BASE64_CHARS);

export const createVoiceRequestSchema = z.strictObject({
  id: idSchema,
  /** The model bundle that speaks with this voice. */
  model: idSchema,
  /** Transcript of the reference audio. Empty selects GPT-SoVITS's reference-free mode (lower quality). */
  prompt_text: z
    .string()
    .max(MAX_PROMPT_TEXT_CHARS)
    .refine((text) => text.isWellFormed(), 'must be valid Unicode (it contains a lone surrogate)'),
  prompt_lang: textLanguageSchema,
  ref_audio: audioUploadSchema,
  aux_ref_audio: z.array(audioUploadSchema).max(MAX_AUX_REFERENCES).default([]),
  description: z.string().max(500).default(''),
});
export type CreateVoiceRequest = z.output<typeof createVoiceRequestSchema>;

export const referenceAudioInfoSchema = z.strictObject({
  sha256: sha256HexSchema,
  /** Length of the decoded recording. */
  duration_s: z.number().positive(),
  /** Rate and channel count of the uploaded file, before resampling and mixdown. */
  sample_rate: z.number().int().positive(),
  channels: z.number().int().positive(),
});
export type ReferenceAudioInfo = z.infer<typeof referenceAudioInfoSchema>;

export const voiceSchema = z.strictObject({
  object: z.literal('voice'),
  id: idSchema,
  model: idSchema,
  /** Content hash of the model bundle's manifest: audio changes when the weights change. */
  model_sha256: sha256HexSchema,
  /** Content hash of everything that defines the voice; part of every synthesis key made with it. */
  version: sha256HexSchema,
  prompt_text: z.string(),
  prompt_lang: textLanguageSchema,
  reference: referenceAudioInfoSchema,
  aux_references: z.array(referenceAudioInfoSchema),
  /** Output sample rate of the model bundle (32000 for GPT-SoVITS v1/v2). */
  sample_rate: z.number().int().positive(),
  description: z.string(),
  created_at: z.iso.datetime(),
});
export type Voice = z.infer<typeof voiceSchema>;

export const voiceListSchema = z.strictObject({
  object: z.literal('list'),
  data: z.array(voiceSchema),
});
export type VoiceList = z.infer<typeof voiceListSchema>;

export const deletedVoiceSchema = z.strictObject({
  id: idSchema,
  object: z.literal('voice.deleted'),
  deleted: z.literal(true),
});
export type DeletedVoice = z.infer<typeof deletedVoiceSchema>;
