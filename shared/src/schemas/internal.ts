/**
 * What the gateway and the GPU functions say to each other. Every call is signed (see `signing/`), in both
 * directions, with the same secret.
 *
 * Gateway → GPU function ({@link INTERNAL_PATHS}):
 * - `POST /internal/v1/synthesize` with a {@link SynthesisJob}: audio bytes (streamed when `stream` is set) with the
 *   {@link SYNTHESIS_HEADERS}, or an error envelope.
 * - `GET /internal/v1/models`: the model bundles the function carries ({@link ModelList}); the gateway sends a voice
 *   only to functions that carry its model.
 * - `POST /internal/v1/voices/inspect` with a voice upload (the public `createVoiceRequestSchema`): decodes and checks
 *   the reference audio and answers a {@link VoiceInspection}; nothing is stored.
 *
 * GPU function → gateway ({@link GATEWAY_INTERNAL_PATHS}): the gateway owns voices (D1 and R2). A function that meets
 * a voice version it has not seen fetches the definition and the reference audio, computes its features once and
 * keeps them on disk by version.
 * @module
 */
import { z } from 'zod';
import { idSchema, sha256HexSchema } from './common.ts';
import { MAX_SEED, synthesisParamsSchema } from './synthesis.ts';
import { referenceAudioInfoSchema } from './voices.ts';

export const INTERNAL_PATHS = {
  synthesize: '/internal/v1/synthesize',
  models: '/internal/v1/models',
  inspectVoice: '/internal/v1/voices/inspect',
} as const;

/** Routes the gateway serves to GPU functions. */
export const GATEWAY_INTERNAL_PATHS = {
  voice: (id: string) => `/internal/v1/voices/${id}`,
  voiceAudio: (sha256: string) => `/internal/v1/voice-audio/${sha256}`,
} as const;

/** A model bundle a GPU function has loaded. */
export const modelInfoSchema = z.strictObject({
  object: z.literal('model'),
  id: idSchema,
  /** Content hash of the bundle's manifest. */
  sha256: sha256HexSchema,
  /** Output sample rate. */
  sample_rate: z.number().int().positive(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

export const modelListSchema = z.strictObject({ object: z.literal('list'), data: z.array(modelInfoSchema) });
export type ModelList = z.infer<typeof modelListSchema>;

/** What a GPU function found in a voice upload: the model it would speak with, and each recording decoded. */
export const voiceInspectionSchema = z.strictObject({
  object: z.literal('voice.inspection'),
  model: idSchema,
  model_sha256: sha256HexSchema,
  sample_rate: z.number().int().positive(),
  reference: referenceAudioInfoSchema,
  aux_references: z.array(referenceAudioInfoSchema),
});
export type VoiceInspection = z.infer<typeof voiceInspectionSchema>;

export const synthesisJobSchema = z.strictObject({
  /**
   * The gateway's own id for this job (never a client-chosen value): the GPU function keys in-flight work by it and
   * refuses a second job with the same id while the first runs.
   */
  request_id: z
    .string()
    .min(1)
    .max(128)
    // It comes back in the answer's `x-request-id` header, which can only carry visible ASCII.
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (it is echoed in the x-request-id header)'),
  /** The client's `x-request-id`, when it sent one: for joining logs only, never an identity. */
  client_request_id: z.string().max(128).nullable().default(null),
  params: synthesisParamsSchema,
  /** The seed actually used: the caller's, or one derived from the synthesis key, or a random one. */
  seed: z.number().int().min(0).max(MAX_SEED),
  /**
   * The voice version the gateway keyed its cache with. The GPU function refuses the job (`voice_version_mismatch`)
   * if its voice has changed since, so audio of one voice version is never stored under another's key.
   */
  voice_version: sha256HexSchema,
  /** `null` for random-seed requests, which are never cached. */
  synthesis_key: sha256HexSchema.nullable(),
  stream: z.boolean(),
});
export type SynthesisJob = z.infer<typeof synthesisJobSchema>;

/** Response headers of a synthesis, on the GPU function's answer and passed on by the gateway. */
export const SYNTHESIS_HEADERS = {
  requestId: 'x-request-id',
  synthesisKey: 'x-gsv-synthesis-key',
  seed: 'x-gsv-seed',
  sampleRate: 'x-gsv-sample-rate',
  /** Billable characters (Unicode code points of the input text). */
  characters: 'x-gsv-characters',
  /** Only on non-streamed answers; a streamed answer's length is known when it ends. */
  audioSeconds: 'x-gsv-audio-seconds',
  /** The model bundle that spoke. */
  model: 'x-gsv-model',
  /** Segments the runaway guard stopped (non-streamed answers, when it fired): the audio may end early there. */
  runawaySegments: 'x-gsv-runaway-segments',
} as const;
