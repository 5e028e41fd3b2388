/**
 * The speaker embedding GPT-SoVITS v2Pro/v2ProPlus conditions SoVITS on (`sv_emb`): `SV.compute_embedding3` on the
 * 16 kHz reference, i.e. Kaldi fbank on the host, then the `sv` graph.
 * @module
 */
import { kaldiFbank } from '../../audio/kaldi-fbank.ts';
import { tensor, type HostTensor } from '../../tensor/index.ts';
import { SV_IO_NAMES } from './io.ts';

/** What is needed of a session: `runtime/`'s ModelSession fits, without this module importing onnxruntime. */
export interface SvSession {
  run(feeds: Readonly<Record<string, HostTensor>>): Promise<Record<string, HostTensor>>;
}

/**
 * The embedding of one mono 16 kHz reference (float in [-1, 1], at GPT-SoVITS's amplitude: no normalisation) as a
 * Float32Array of the graph's embedding width (20480 for the pretrained model). The reference must hold at least
 * 400 samples (one fbank frame); shorter input throws a RangeError, as kaldi.py's assertion does.
 */
export async function computeSvEmbedding(session: SvSession, wave16k: Float32Array): Promise<Float32Array> {
  const fbank = kaldiFbank(wave16k);
  const outputs = await session.run({ [SV_IO_NAMES.fbank]: tensor('float32', [1, fbank.frames, fbank.melBins], fbank.data) });
  const embedding = outputs[SV_IO_NAMES.embedding];
  if (embedding?.dtype !== 'float32' || embedding.shape.length !== 2 || embedding.shape[0] !== 1) {
    throw new Error(`the sv graph did not return a float32 [1, D] '${SV_IO_NAMES.embedding}' output`);
  }
  return embedding.data as Float32Array;
}
