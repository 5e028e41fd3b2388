import { describe, expect, it } from 'vitest';
import { readHfHubert } from '../../checkpoint/hf-hubert.ts';
import { encodeModel } from '../../onnx/index.ts';
import { ModelSession } from '../../runtime/index.ts';
import { readNpy, tensor } from '../../tensor/index.ts';
import { parityAvailable, parityPath, paritySkipReason } from '../../tensor/parity.ts';
import { agreement } from '../bert/error-metrics.ts';
import { hubertDimsFromArchitecture, hubertFrames } from './config.ts';
import { buildHubertGraph, HUBERT_CONV_FEATURES } from './graph.ts';
import { HUBERT_IO_NAMES } from './io.ts';
import { hubertUtteranceReference } from './reference.ts';

/** README §4: abs 1e-4 on the HuBERT states (fp32 vs fp64 noise there is 3.8e-6). */
const TOLERANCE = 1e-4;

describe.skipIf(!parityAvailable)('HuBERT conformance with GPT-SoVITS (hf/hubert_micro)', () => {
  it('reproduces the conv features and last_hidden_state of 1 s + 9600 zeros in fp32, and so does the float64 reference', async () => {
    const hubert = await readHfHubert(parityPath('hf', 'hubert_micro'));
    try {
      const dims = hubertDimsFromArchitecture(hubert.architecture);
      const audio = await readNpy(parityPath('hf', 'refs', 'hubert_input_16k.npy'));
      const expected = await readNpy(parityPath('hf', 'refs', 'hubert_last_hidden_state.npy'));
      const expectedConv = await readNpy(parityPath('hf', 'refs', 'hubert_conv_features.npy'));
      expect(expected.shape).toEqual([1, hubertFrames(audio.shape[1] ?? 0, dims), dims.hidden]);
      const model = await ModelSession.load(await encodeModel(buildHubertGraph(hubert.weights, dims, 'fp32', { convFeatures: true })));
      const out = await model.run({ [HUBERT_IO_NAMES.audio]: audio });
      const features = out[HUBERT_IO_NAMES.features]!;
      expect(features.shape).toEqual(expected.shape);
      expect(agreement(out[HUBERT_CONV_FEATURES]!, expectedConv).maxAbs).toBeLessThan(TOLERANCE);
      expect(agreement(features, expected).maxAbs).toBeLessThan(TOLERANCE);
      const reference = await hubertUtteranceReference(hubert.weights, dims, audio.data as Float32Array);
      expect(agreement(tensor('float64', expectedConv.shape, reference.convFeatures.data), expectedConv).maxAbs).toBeLessThan(TOLERANCE);
      expect(agreement(tensor('float64', expected.shape, reference.lastHiddenState.data), expected).maxAbs).toBeLessThan(TOLERANCE);
    } finally {
      await hubert.weights.close();
    }
  });
});

if (!parityAvailable) it.skip(paritySkipReason, () => undefined);
