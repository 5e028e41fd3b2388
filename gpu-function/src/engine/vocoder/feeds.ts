/**
 * Packs vocoder items into the `sovits-decoder` feeds (models/sovits/io.ts) and cuts the batched audio back into
 * items. Rows are padded to the longest item; the graph ignores padding, so each row equals its item decoded alone.
 * @module
 */
import { SOVITS_SAMPLES_PER_FRAME } from '../../models/sovits/io.ts';
import type { Feeds } from '../../runtime/session.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';
import { itemFrameCount, type VocoderDims, type VocoderItem } from './item.ts';
import { fillDecoderNoise } from './noise.ts';

export function decoderFeeds(items: readonly VocoderItem[], dims: VocoderDims): Feeds {
  const batch = items.length;
  const tokenSlots = Math.max(...items.map((item) => item.tokens.length));
  const phoneSlots = Math.max(...items.map((item) => item.phoneIds.length));
  const frameSlots = Math.max(...items.map(itemFrameCount));
  const codes = new BigInt64Array(batch * tokenSlots); // [B, T]
  const phones = new BigInt64Array(batch * phoneSlots); // [B, P]
  const ge = new Float32Array(batch * dims.gin); // [B, gin, 1]
  const noise = new Float32Array(batch * dims.inter * frameSlots); // [B, inter, F]
  items.forEach((item, row) => {
    item.tokens.forEach((token, t) => (codes[row * tokenSlots + t] = BigInt(token)));
    item.phoneIds.forEach((phone, p) => (phones[row * phoneSlots + p] = BigInt(phone)));
    ge.set(item.ge, row * dims.gin);
    // noise_scale is fed as 1 and each row's own scale is folded into its noise, so items with different scales
    // share a call (z_p = m_p + (noise · s) · exp(logs_p)).
    fillDecoderNoise(noise, row * dims.inter * frameSlots, dims.inter, frameSlots, {
      seed: item.seed,
      segment: item.segmentIndex,
      firstFrame: item.noiseFrameOffset ?? 0,
      frames: itemFrameCount(item),
      scale: item.noiseScale,
    });
  });
  return {
    codes: tensor('int64', [batch, tokenSlots], codes),
    code_lengths: lengths(items.map((item) => item.tokens.length)),
    phones: tensor('int64', [batch, phoneSlots], phones),
    phone_lengths: lengths(items.map((item) => item.phoneIds.length)),
    ge: tensor('float32', [batch, dims.gin, 1], ge),
    noise: tensor('float32', [batch, dims.inter, frameSlots], noise),
    noise_scale: tensor('float32', [], Float32Array.of(1)),
    speed: tensor('float64', [batch], Float64Array.from(items.map((item) => item.speed))),
  };
}

function lengths(values: readonly number[]): HostTensor {
  return tensor('int64', [values.length], BigInt64Array.from(values.map(BigInt)));
}

/**
 * Each item's audio, copied out of the batched `audio [B, S]`; fails when the graph reports a length other than
 * `frames × 640` (the caller would otherwise append silence or lose speech).
 */
export function splitAudio(outputs: Readonly<Record<string, HostTensor>>, items: readonly VocoderItem[]): Float32Array[] {
  const audio = outputs['audio'];
  const reported = outputs['audio_lengths'];
  if (audio?.dtype !== 'float32' || audio.shape.length !== 2 || audio.shape[0] !== items.length) {
    throw new Error(`decoder output 'audio' should be float32 [${items.length}, samples], got ${audio === undefined ? 'nothing' : `${audio.dtype} [${audio.shape.join(', ')}]`}`);
  }
  if (reported?.dtype !== 'int64') throw new Error(`decoder output 'audio_lengths' should be int64`);
  const width = audio.shape[1] ?? 0;
  const data = audio.data as Float32Array;
  const lengthsOut = reported.data as BigInt64Array;
  return items.map((item, row) => {
    const expected = itemFrameCount(item) * SOVITS_SAMPLES_PER_FRAME;
    const length = Number(lengthsOut[row] ?? -1n);
    if (length !== expected || length > width) throw new Error(`decoder reported ${length} samples for row ${row}, expected ${expected}`);
    return data.slice(row * width, row * width + length);
  });
}
