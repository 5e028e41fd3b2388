/**
 * The CFM prompt of a v3/v4 voice, as `TTS.using_vocoder_synthesis` builds it from the main reference: the
 * reference's mel (the recording resampled with torchaudio's resampler to 32 kHz for v4 / 24 kHz for v3, then
 * `cfm-mel`, normalised) and the prompt's features (`cfm-encp` of the prompt's semantic tokens and phones with the
 * voice's `ge`), both cut to the shorter of the two and then to their last T_ref frames. Auxiliary references play
 * no part in v3/v4 (GPT-SoVITS reads only the main one there).
 * @module
 */
import { resampleSinc } from '../../audio/resample-sinc.ts';
import { CFM_MEL, type CfmVersion } from '../../models/cfm/config.ts';
import { CFM_ENCP_IO, CFM_MEL_IO } from '../../models/cfm/io.ts';
import type { ModelSession } from '../../runtime/session.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';
import { CFM_CHUNKING } from '../cfm/chunking.ts';
import type { CfmPrompt } from './features.ts';
import type { PreparedReference } from './reference-audio.ts';

export interface CfmPromptSessions {
  readonly mel: ModelSession;
  readonly encp: ModelSession;
}

/**
 * `promptFrames` is T_ref; it must match the chunking the CFM stage runs with (the default is GPT-SoVITS's for the
 * version; the stage cuts a longer prompt again, but a shorter T_ref here would lose frames GPT-SoVITS keeps).
 */
export async function computeCfmPrompt(
  sessions: CfmPromptSessions,
  version: CfmVersion,
  reference: PreparedReference,
  prompt: { readonly tokens: Int32Array; readonly phoneIds: Int32Array; readonly ge: Float32Array },
  promptFrames: number = CFM_CHUNKING[version].promptFrames,
): Promise<CfmPrompt> {
  if (!Number.isInteger(promptFrames) || promptFrames < 1) throw new RangeError(`promptFrames must be a positive integer, got ${String(promptFrames)}`);
  const audio = resampleSinc(reference.mono, reference.sampleRate, CFM_MEL[version].sampleRate);
  const melOut = await sessions.mel.run({
    ref_audio: tensor('float32', [1, audio.length], audio),
    ref_lengths: tensor('int64', [1], BigInt64Array.of(BigInt(audio.length))),
  });
  const mel = output(melOut, 'mel', CFM_MEL_IO.file);
  const melFrames = lengthOf(melOut, 'mel_lengths', CFM_MEL_IO.file);
  const feaOut = await sessions.encp.run({
    codes: tensor('int64', [1, prompt.tokens.length], BigInt64Array.from(prompt.tokens, BigInt)),
    code_lengths: tensor('int64', [1], BigInt64Array.of(BigInt(prompt.tokens.length))),
    phones: tensor('int64', [1, prompt.phoneIds.length], BigInt64Array.from(prompt.phoneIds, BigInt)),
    phone_lengths: tensor('int64', [1], BigInt64Array.of(BigInt(prompt.phoneIds.length))),
    ge: tensor('float32', [1, prompt.ge.length, 1], prompt.ge),
    speed: tensor('float64', [1], Float64Array.of(1)),
  });
  const fea = output(feaOut, 'fea', CFM_ENCP_IO.file);
  const feaFrames = lengthOf(feaOut, 'fea_lengths', CFM_ENCP_IO.file);
  const shortest = Math.min(melFrames, feaFrames);
  const frames = Math.min(shortest, promptFrames);
  if (frames <= 0) throw new Error('the reference gives no prompt frames for the CFM');
  const start = shortest - frames;
  return { frames, mel: columns(mel, start, frames), fea: columns(fea, start, frames) };
}

function output(out: Record<string, HostTensor>, name: string, graph: string): HostTensor {
  const value = out[name];
  if (value?.dtype !== 'float32' || value.shape.length !== 3) throw new Error(`${graph} returned no float32 [1, C, T] ${name}`);
  return value;
}

function lengthOf(out: Record<string, HostTensor>, name: string, graph: string): number {
  const value = out[name];
  if (value?.dtype !== 'int64') throw new Error(`${graph} returned no ${name}`);
  return Number((value.data as BigInt64Array)[0] ?? 0n);
}

/** Columns `[start, start + count)` of a `[1, C, T]` tensor, as `[C, count]`. */
function columns(t: HostTensor, start: number, count: number): Float32Array {
  const [, channels = 0, frames = 0] = t.shape;
  const data = t.data as Float32Array;
  const out = new Float32Array(channels * count);
  for (let c = 0; c < channels; c += 1) out.set(data.subarray(c * frames + start, c * frames + start + count), c * count);
  return out;
}
