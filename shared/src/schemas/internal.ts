/**
 * What the gateway sends the GPU function and what comes back. Every call is signed (see `signing/`).
 *
 * Request: `POST /internal/v1/synthesize` with a {@link SynthesisJob} JSON body.
 * Response: audio bytes (streamed when `stream` is set) with the {@link SYNTHESIS_HEADERS}, or an error envelope.
 * Voice management is forwarded as-is to `/internal/v1/voices` with the public voice schemas.
 * @module
 */
import { z } from 'zod';
import { sha256HexSchema } from './common.ts';
import { MAX_SEED, synthesisParamsSchema } from './synthesis.ts';

export const INTERNAL_PATHS = {
  synthesize: '/internal/v1/synthesize',
  voices: '/internal/v1/voices',
} as const;

export const synthesisJobSchema = z.strictObject({
  /**
   * The gateway's own id for this job (never a client-chosen value): the GPU function keys in-flight work by it and
   * refuses a second job with the same id while the first runs.
   */
  request_id: z.string().min(1).max(128),
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
} as const;
