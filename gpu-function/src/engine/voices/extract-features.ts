/**
 * Computes a voice's features with its bundle's graphs, as GPT-SoVITS's `TTS.set_ref_audio` does: HuBERT on the
 * 16 kHz reference (+ 0.6 s of zeros) → SoVITS `extract_latent` → prompt semantic tokens; the reference encoder on
 * each 32 kHz reference → `ge`, averaged over the main and auxiliary references; the transcript → phones + BERT.
 * v2Pro/v2ProPlus fuse each reference's speaker embedding into its `ge` before the average: ERes2NetV2 on that
 * reference's 32 kHz audio resampled to 16 kHz with torchaudio's resampler (TTS.py `_get_ref_spec`), not on the
 * librosa-resampled HuBERT input.
 * With an empty transcript GPT-SoVITS runs reference-free: no prompt phones and no prompt tokens.
 * @module
 */
import type { TextLanguage } from '@gsv-edge/shared';
import { resampleSinc } from '../../audio/resample-sinc.ts';
import { HUBERT_IO_NAMES } from '../../models/hubert/io.ts';
import { computeSvEmbedding } from '../../models/sv/embedding.ts';
import { SV_SAMPLE_RATE } from '../../models/sv/io.ts';
import type { ModelSession } from '../../runtime/session.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';
import type { TextFrontend } from '../../text/frontend.ts';
import type { VoiceFeatures } from './features.ts';
import { SOVITS_SAMPLE_RATE, type PreparedReference } from './reference-audio.ts';

export interface FeatureSessions {
  readonly hubert: ModelSession;
  readonly extract: ModelSession;
  readonly refEncoder: ModelSession;
  /** Present exactly when the model fuses a speaker embedding (v2Pro/v2ProPlus). */
  readonly sv?: ModelSession | undefined;
}

export interface FeatureInputs {
  readonly version: string;
  readonly reference: PreparedReference;
  readonly auxiliary: readonly PreparedReference[];
  readonly promptText: string;
  readonly promptLang: TextLanguage;
}

export async function extractVoiceFeatures(sessions: FeatureSessions, frontend: TextFrontend, inputs: FeatureInputs): Promise<VoiceFeatures> {
  const referenceFree = inputs.promptText.trim() === '';
  const promptTokens = referenceFree ? new Int32Array(0) : await promptSemanticTokens(sessions, inputs.reference.ssl16k);
  const ges = [];
  for (const reference of [inputs.reference, ...inputs.auxiliary]) ges.push(await styleVector(sessions, reference.spec32k));
  const ge = new Float32Array(ges[0]?.length ?? 0);
  for (const vector of ges) for (let i = 0; i < ge.length; i += 1) ge[i] = (ge[i] ?? 0) + (vector[i] ?? 0) / ges.length;
  const prompt = referenceFree ? undefined : await frontend.preparePrompt(inputs.promptText, inputs.promptLang);
  return {
    version: inputs.version,
    promptTokens,
    ge,
    promptPhoneIds: prompt?.phoneIds ?? new Int32Array(0),
    promptBert: prompt?.bert ?? new Float32Array(0),
  };
}

async function promptSemanticTokens(sessions: FeatureSessions, audio16k: Float32Array): Promise<Int32Array> {
  const hubert = await sessions.hubert.run({ [HUBERT_IO_NAMES.audio]: tensor('float32', [1, audio16k.length], audio16k) });
  const features = required(hubert, HUBERT_IO_NAMES.features); // [1, T50, 768]
  const [, frames = 0, width = 0] = features.shape;
  const transposed = new Float32Array(width * frames); // [1, 768, T50]
  const data = features.data as Float32Array;
  for (let t = 0; t < frames; t += 1) for (let c = 0; c < width; c += 1) transposed[c * frames + t] = data[t * width + c] ?? 0;
  const extracted = await sessions.extract.run({
    ssl: tensor('float32', [1, width, frames], transposed),
    ssl_lengths: tensor('int64', [1], BigInt64Array.of(BigInt(frames))),
  });
  const codes = required(extracted, 'codes');
  const length = Number((required(extracted, 'code_lengths').data as BigInt64Array)[0] ?? 0n);
  return Int32Array.from((codes.data as BigInt64Array).subarray(0, length), Number);
}

async function styleVector(sessions: FeatureSessions, audio32k: Float32Array): Promise<Float32Array> {
  const speaker = sessions.sv === undefined ? undefined : await computeSvEmbedding(sessions.sv, resampleSinc(audio32k, SOVITS_SAMPLE_RATE, SV_SAMPLE_RATE));
  const out = await sessions.refEncoder.run({
    ref_audio: tensor('float32', [1, audio32k.length], audio32k),
    ref_lengths: tensor('int64', [1], BigInt64Array.of(BigInt(audio32k.length))),
    ...(speaker === undefined ? {} : { sv_emb: tensor('float32', [1, speaker.length], speaker) }),
  });
  return Float32Array.from(required(out, 'ge').data as Float32Array);
}

function required(out: Record<string, HostTensor>, name: string): HostTensor {
  const value = out[name];
  if (value === undefined) throw new Error(`graph returned no ${name}`);
  return value;
}
