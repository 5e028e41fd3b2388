import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeModel, ExternalDataFile } from '../../onnx/index.ts';
import { ModelSession } from '../../runtime/index.ts';
import { tensor, type HostTensor } from '../../tensor/index.ts';
import { agreement } from '../bert/error-metrics.ts';
import { seededNormal } from '../../tensor/random.ts';
import { CHINESE_HUBERT_BASE, hubertFrames, hubertMinSamples, type HubertDims } from './config.ts';
import { buildHubertGraph, HUBERT_CONV_FEATURES, writeHubertGraph } from './graph.ts';
import { HUBERT_IO_NAMES, hubertIo } from './io.ts';
import { hubertReference, hubertUtteranceReference } from './reference.ts';
import { syntheticHubertWeights } from './synthetic.ts';

/** Real feature-extractor geometry and positional conv, tiny widths. */
const DIMS: HubertDims = {
  ...CHINESE_HUBERT_BASE,
  convDims: [8, 8, 8, 8, 8, 8, 8],
  hidden: 16,
  layers: 2,
  heads: 2,
  intermediate: 32,
};
/** The other branches: conv bias, no projection LayerNorm, an odd positional kernel (no SamePad trim). */
const VARIANT: HubertDims = { ...DIMS, convBias: true, featureProjectionNorm: false, posConvKernel: 5, posConvGroups: 4 };
const SAMPLES = 400 + 320 * 11; // 12 frames

function randomAudio(batch: number, samples: number, seed: number): HostTensor<'float32'> {
  const normal = seededNormal(seed);
  return tensor('float32', [batch, samples], Float32Array.from({ length: batch * samples }, () => 0.3 * normal()));
}

async function run(dims: HubertDims, weights: ReturnType<typeof syntheticHubertWeights>, audio: HostTensor, precision: 'fp32' | 'fp16' = 'fp32'): Promise<Record<string, HostTensor>> {
  const model = await ModelSession.load(await encodeModel(buildHubertGraph(weights, dims, precision, { convFeatures: true })));
  return model.run({ [HUBERT_IO_NAMES.audio]: audio });
}

describe('HuBERT graph (last_hidden_state)', () => {
  it('counts frames as floor((N - 400) / 320) + 1 for the real geometry', () => {
    expect(hubertMinSamples(CHINESE_HUBERT_BASE)).toBe(400);
    for (const samples of [400, 719, 720, 25600, 89600, 169600]) {
      expect(hubertFrames(samples, CHINESE_HUBERT_BASE)).toBe(Math.floor((samples - 400) / 320) + 1);
    }
    expect(hubertFrames(399, CHINESE_HUBERT_BASE)).toBe(0);
    expect(hubertFrames(89600, CHINESE_HUBERT_BASE)).toBe(279);
  });

  for (const [label, dims] of [
    ['real geometry', DIMS],
    ['conv bias, no projection norm, odd positional kernel', VARIANT],
  ] as const) {
    it(`matches the float64 reference within 1e-5 relative in fp32 (${label})`, async () => {
      const weights = syntheticHubertWeights(dims, 3);
      const audio = randomAudio(2, SAMPLES, 11);
      const out = await run(dims, weights, audio);
      const features = out[HUBERT_IO_NAMES.features]!;
      expect(features.shape).toEqual([2, hubertFrames(SAMPLES, dims), dims.hidden]);
      expect(agreement(features, await hubertReference(weights, dims, audio)).relative).toBeLessThan(1e-5);
      const single = await hubertUtteranceReference(weights, dims, audio.data.subarray(0, SAMPLES));
      const conv = out[HUBERT_CONV_FEATURES]!;
      const firstRow = tensor('float32', [single.convFeatures.data.length], (conv.data as Float32Array).subarray(0, single.convFeatures.data.length));
      expect(agreement(firstRow, tensor('float64', firstRow.shape, single.convFeatures.data)).relative).toBeLessThan(1e-5);
    });
  }

  it('treats a padded row as a longer utterance, not as its single run (documented batch semantics)', async () => {
    const weights = syntheticHubertWeights(DIMS, 3);
    const audio = randomAudio(1, SAMPLES, 5);
    const paddedAudio = new Float32Array(SAMPLES + 320 * 4);
    paddedAudio.set(audio.data);
    const alone = (await run(DIMS, weights, audio))[HUBERT_IO_NAMES.features]!;
    const padded = (await run(DIMS, weights, tensor('float32', [1, paddedAudio.length], paddedAudio)))[HUBERT_IO_NAMES.features]!;
    const frames = hubertFrames(SAMPLES, DIMS);
    const sameFrames = tensor('float32', alone.shape, (padded.data as Float32Array).subarray(0, frames * DIMS.hidden));
    expect(agreement(sameFrames, alone).maxAbs).toBeGreaterThan(1e-3);
  });

  it('stores checkpoint-named weights and exposes the io.ts interface', async () => {
    const weights = syntheticHubertWeights(DIMS, 3);
    const graph = buildHubertGraph(weights, DIMS, 'fp32');
    const names = graph.pendingWeights.map((w) => w.name);
    expect(names).toContain('feature_extractor.conv_layers.0.layer_norm.weight');
    expect(names).toContain('encoder.pos_conv_embed.conv.weight');
    expect(names).toContain('encoder.layers.1.final_layer_norm.bias');
    const model = await ModelSession.load(await encodeModel(graph));
    const io = hubertIo(DIMS);
    expect(model.inputNames).toEqual(io.inputs.map((spec) => spec.name));
    expect(model.outputNames).toEqual(io.outputs.map((spec) => spec.name));
  });

  it('runs in fp16 with float32 input and output, close to the reference', async () => {
    const weights = syntheticHubertWeights(DIMS, 3);
    const audio = randomAudio(1, SAMPLES, 11);
    const features = (await run(DIMS, weights, audio, 'fp16'))[HUBERT_IO_NAMES.features]!;
    expect(features.dtype).toBe('float32');
    expect(agreement(features, await hubertReference(weights, DIMS, audio)).relative).toBeLessThan(2e-2);
  });

  it('writes hubert.onnx in fp16 with external weights that onnxruntime loads and runs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-hubert-'));
    try {
      const weights = syntheticHubertWeights(DIMS, 3);
      const external = new ExternalDataFile(dir, 'weights.bin');
      const written = await writeHubertGraph(dir, weights, DIMS, 'fp16', external);
      await external.close();
      expect(written.path).toBe(join(dir, 'hubert.onnx'));
      const audio = randomAudio(1, SAMPLES, 11);
      const model = await ModelSession.load(written.path);
      const features = (await model.run({ [HUBERT_IO_NAMES.audio]: audio }))[HUBERT_IO_NAMES.features]!;
      expect(agreement(features, await hubertReference(weights, DIMS, audio)).relative).toBeLessThan(2e-2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names the missing tensor when weight norm was not folded', () => {
    const weights = syntheticHubertWeights(DIMS, 3);
    const unfolded = { info: (name: string) => (name.startsWith('encoder.pos_conv_embed.conv.weight') ? undefined : weights.info(name)), read: (name: string) => weights.read(name) };
    expect(() => buildHubertGraph(unfolded, DIMS, 'fp32')).toThrow(/encoder\.pos_conv_embed\.conv\.weight/);
  });
});
