/**
 * Random SoVITS weights with GPT-SoVITS's state-dict names and shapes (weight norm folded, as the reader delivers
 * them) for any {@link SovitsDims}, so graph tests run on tiny models without a checkpoint. Seeded: the same dims
 * and seed give the same tensors.
 * @module
 */
import { MemoryTensorStore } from '../../../tensor/memory-store.ts';
import { tensor } from '../../../tensor/tensor.ts';
import type { SovitsDims } from '../config.ts';

/** Small decoder-scale dims: every width a few channels, the real STFT, upsampling and window. */
export const TINY_SOVITS_DIMS: SovitsDims = {
  version: 'v2',
  sslDim: 24,
  codebookSize: 40,
  symbols: 30,
  hidden: 8,
  inter: 6,
  gin: 12,
  encoder: { sslLayers: 1, textLayers: 2, encoder2Layers: 1, heads: 2, window: 4, filter: 16, ffnKernel: 3 },
  mrte: { hidden: 12, heads: 4 },
  speakerFusion: null,
  refEncoder: { bins: 704, hidden: 8, heads: 2, kernel: 5, temporalLayers: 2 },
  flow: { couplings: [0, 2, 4, 6], hidden: 8, kernel: 5, layers: 3, dilationRate: 1 },
  generator: {
    initialChannels: 32,
    upsampleRates: [10, 8, 2, 2, 2],
    upsampleKernels: [16, 16, 8, 2, 2],
    resblockKernels: [3, 7, 11],
    resblockDilations: [
      [1, 3, 5],
      [1, 3, 5],
      [1, 3, 5],
    ],
  },
};

/** Mulberry32: a tiny seeded generator, enough for test weights. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function syntheticSovitsWeights(dims: SovitsDims, seed = 1): MemoryTensorStore {
  const next = random(seed);
  const store = new MemoryTensorStore();
  const put = (name: string, shape: number[], scale: number, offset = 0): void => {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i += 1) data[i] = offset + scale * (2 * next() - 1);
    store.set(name, tensor('float32', shape, data));
  };
  /** A conv or linear layer with fan-in scaled weights and a bias. */
  const layer = (prefix: string, shape: number[], gain = 1, bias = true): void => {
    const fanIn = shape.slice(1).reduce((a, b) => a * b, 1);
    put(`${prefix}.weight`, shape, gain * Math.sqrt(3 / fanIn));
    if (bias) put(`${prefix}.bias`, [shape[0] ?? 0], 0.1);
  };
  const { hidden: h, inter, gin } = dims;

  layer('ssl_proj', [dims.sslDim, dims.sslDim, 2]);
  put('quantizer.vq.layers.0._codebook.embed', [dims.codebookSize, dims.sslDim], 1.5);
  layer('enc_p.ssl_proj', [h, dims.sslDim, 1]);
  put('enc_p.text_embedding.weight', [dims.symbols, h], 1);
  const encoder = (name: string, layers: number): void => {
    const e = dims.encoder;
    for (let i = 0; i < layers; i += 1) {
      const p = `enc_p.${name}`;
      put(`${p}.attn_layers.${i}.emb_rel_k`, [1, 2 * e.window + 1, h / e.heads], 0.5);
      put(`${p}.attn_layers.${i}.emb_rel_v`, [1, 2 * e.window + 1, h / e.heads], 0.5);
      for (const c of ['q', 'k', 'v', 'o']) layer(`${p}.attn_layers.${i}.conv_${c}`, [h, h, 1], 1.5);
      for (const n of [1, 2]) {
        put(`${p}.norm_layers_${n}.${i}.gamma`, [h], 0.3, 1);
        put(`${p}.norm_layers_${n}.${i}.beta`, [h], 0.2);
      }
      layer(`${p}.ffn_layers.${i}.conv_1`, [e.filter, h, e.ffnKernel]);
      layer(`${p}.ffn_layers.${i}.conv_2`, [h, e.filter, e.ffnKernel]);
    }
  };
  encoder('encoder_ssl', dims.encoder.sslLayers);
  encoder('encoder_text', dims.encoder.textLayers);
  encoder('encoder2', dims.encoder.encoder2Layers);
  const m = dims.mrte.hidden;
  for (const c of ['q', 'k', 'v', 'o']) layer(`enc_p.mrte.cross_attention.conv_${c}`, [m, m, 1], 1.5);
  layer('enc_p.mrte.c_pre', [m, h, 1]);
  layer('enc_p.mrte.text_pre', [m, h, 1]);
  layer('enc_p.mrte.c_post', [h, m, 1]);
  layer('enc_p.proj', [2 * inter, h, 1], 0.7);

  const f = dims.flow;
  for (const index of f.couplings) {
    const p = `flow.flows.${index}`;
    layer(`${p}.pre`, [f.hidden, inter / 2, 1]);
    for (let i = 0; i < f.layers; i += 1) {
      layer(`${p}.enc.in_layers.${i}`, [2 * f.hidden, f.hidden, f.kernel]);
      layer(`${p}.enc.res_skip_layers.${i}`, [i < f.layers - 1 ? 2 * f.hidden : f.hidden, f.hidden, 1]);
    }
    layer(`${p}.enc.cond_layer`, [2 * f.hidden * f.layers, gin, 1]);
    layer(`${p}.post`, [inter / 2, f.hidden, 1], 0.5);
  }

  const g = dims.generator;
  layer('dec.conv_pre', [g.initialChannels, inter, 7]);
  layer('dec.cond', [g.initialChannels, gin, 1], 0.5);
  let channels = g.initialChannels;
  g.upsampleRates.forEach((rate, stage) => {
    const kernel = g.upsampleKernels[stage] ?? rate;
    // ConvTranspose weight [Cin, Cout, k]: each output sums Cin * k / rate taps.
    put(`dec.ups.${stage}.weight`, [channels, channels / 2, kernel], Math.sqrt((3 * rate) / (channels * kernel)));
    put(`dec.ups.${stage}.bias`, [channels / 2], 0.1);
    channels /= 2;
    g.resblockKernels.forEach((k, j) => {
      const block = `dec.resblocks.${stage * g.resblockKernels.length + j}`;
      for (let i = 0; i < (g.resblockDilations[j]?.length ?? 0); i += 1) {
        layer(`${block}.convs1.${i}`, [channels, channels, k], 0.5);
        layer(`${block}.convs2.${i}`, [channels, channels, k], 0.5);
      }
    });
  });
  layer('dec.conv_post', [1, channels, 7], 0.8, false);

  const r = dims.refEncoder;
  layer('ref_enc.spectral.0.fc', [r.hidden, r.bins], 0.05);
  layer('ref_enc.spectral.3.fc', [r.hidden, r.hidden]);
  for (let i = 0; i < r.temporalLayers; i += 1) layer(`ref_enc.temporal.${i}.conv1.conv`, [2 * r.hidden, r.hidden, r.kernel]);
  for (const name of ['w_qs', 'w_ks', 'w_vs', 'fc']) layer(`ref_enc.slf_attn.${name}`, [r.hidden, r.hidden], 1.5);
  layer('ref_enc.fc.fc', [gin, r.hidden]);
  if (dims.speakerFusion !== null) {
    layer('sv_emb', [gin, dims.speakerFusion.embeddingDim], 0.5);
    layer('ge_to512', [m, gin]);
    put('prelu.weight', [gin], 0.1, 0.25);
  }
  return store;
}
