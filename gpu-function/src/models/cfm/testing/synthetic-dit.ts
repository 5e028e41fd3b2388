/**
 * Random DiT weights under GPT-SoVITS's names (`cfm.estimator.*`) for any {@link DitDims}, generated lazily when a
 * tensor is read (the writer reads one at a time), so a real-size model (337 M parameters) never sits in memory whole.
 * Fan-in scaled uniform weights, small biases, unit LayerNorm scales, RoPE frequencies as x-transformers makes them.
 * @module
 */
import type { WeightSource } from '../../../onnx/values.ts';
import { deriveSeed, Prng } from '../../../synthetic/prng.ts';
import { tensor, type HostTensor } from '../../../tensor/tensor.ts';
import { DIT_PREFIX, type DitDims } from '../config.ts';

interface Spec {
  readonly shape: readonly number[];
  readonly fill: (prng: Prng, out: Float32Array) => void;
}

export function ditSpecs(d: DitDims, prefix = DIT_PREFIX): Map<string, Spec> {
  const specs = new Map<string, Spec>();
  const uniform = (bound: number) => (prng: Prng, out: Float32Array): void => { prng.fillUniform(out, -bound, bound); };
  const layer = (name: string, shape: readonly number[], bias = true, gain = 1): void => {
    const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
    specs.set(`${prefix}.${name}.weight`, { shape, fill: uniform(gain * Math.sqrt(3 / fanIn)) });
    if (bias) specs.set(`${prefix}.${name}.bias`, { shape: [shape[0] ?? 0], fill: uniform(0.05) });
  };
  for (const embed of ['time_embed', 'd_embed']) {
    layer(`${embed}.time_mlp.0`, [d.dim, d.freqEmbedDim]);
    layer(`${embed}.time_mlp.2`, [d.dim, d.dim]);
  }
  for (let i = 0; i < d.convLayers; i += 1) {
    const block = `text_embed.text_blocks.${i}`;
    layer(`${block}.dwconv`, [d.textDim, 1, d.convKernel]);
    specs.set(`${prefix}.${block}.norm.weight`, { shape: [d.textDim], fill: (_, out) => out.fill(1) });
    specs.set(`${prefix}.${block}.norm.bias`, { shape: [d.textDim], fill: uniform(0.05) });
    layer(`${block}.pwconv1`, [d.convInner, d.textDim]);
    specs.set(`${prefix}.${block}.grn.gamma`, { shape: [1, 1, d.convInner], fill: uniform(0.1) });
    specs.set(`${prefix}.${block}.grn.beta`, { shape: [1, 1, d.convInner], fill: uniform(0.1) });
    layer(`${block}.pwconv2`, [d.textDim, d.convInner], true, 0.5);
  }
  layer('input_embed.proj', [d.dim, 2 * d.melDim + d.textDim]);
  for (const conv of [0, 2]) layer(`input_embed.conv_pos_embed.conv1d.${conv}`, [d.dim, d.dim / d.posConvGroups, d.posConvKernel], true, 0.5);
  specs.set(`${prefix}.rotary_embed.inv_freq`, {
    shape: [d.dimHead / 2],
    fill: (_, out) => { for (let i = 0; i < out.length; i += 1) out[i] = 1 / 10000 ** ((2 * i) / d.dimHead); },
  });
  for (let i = 0; i < d.depth; i += 1) {
    const block = `transformer_blocks.${i}`;
    layer(`${block}.attn_norm.linear`, [6 * d.dim, d.dim], true, 0.2);
    for (const projection of ['to_q', 'to_k', 'to_v']) layer(`${block}.attn.${projection}`, [d.dim, d.dim]);
    layer(`${block}.attn.to_out.0`, [d.dim, d.dim], true, 0.5);
    layer(`${block}.ff.ff.0.0`, [d.ffDim, d.dim]);
    layer(`${block}.ff.ff.2`, [d.dim, d.ffDim], true, 0.5);
  }
  layer('norm_out.linear', [2 * d.dim, d.dim], true, 0.2);
  layer('proj_out', [d.melDim, d.dim]);
  return specs;
}

/** A lazy {@link WeightSource} of float32 random DiT weights. */
export function syntheticDitWeights(dims: DitDims, seed = 1, prefix = DIT_PREFIX): WeightSource & { names(): readonly string[] } {
  const specs = ditSpecs(dims, prefix);
  return {
    names: () => [...specs.keys()],
    info(name) {
      const spec = specs.get(name);
      return spec === undefined ? undefined : { dtype: 'float32', shape: spec.shape };
    },
    read(name): Promise<HostTensor> {
      const spec = specs.get(name);
      if (spec === undefined) return Promise.reject(new Error(`no synthetic DiT tensor ${name}`));
      const data = new Float32Array(spec.shape.reduce((a, b) => a * b, 1));
      spec.fill(new Prng(deriveSeed(seed, name)), data);
      return Promise.resolve(tensor('float32', spec.shape, data));
    },
  };
}
