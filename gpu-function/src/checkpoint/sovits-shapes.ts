/**
 * Every inference tensor of a SoVITS v1/v2/v2Pro/v2ProPlus `SynthesizerTrn` (weight norm folded), with its shape, for a given
 * architecture; gpt-sovits.md section 2.2 lists the same layout for the real dimensions.
 * @module
 */
import type { SovitsArchitecture, SovitsPriorArchitecture } from './sovits-architecture.ts';

type Shapes = Map<string, readonly number[]>;

function conv(shapes: Shapes, name: string, out: number, input: number, kernel: number, bias = true): void {
  shapes.set(`${name}.weight`, [out, input, kernel]);
  if (bias) shapes.set(`${name}.bias`, [out]);
}

function linear(shapes: Shapes, name: string, out: number, input: number): void {
  shapes.set(`${name}.weight`, [out, input]);
  shapes.set(`${name}.bias`, [out]);
}

function encoder(shapes: Shapes, prefix: string, layers: number, a: SovitsPriorArchitecture): void {
  const h = a.hiddenChannels;
  for (let i = 0; i < layers; i += 1) {
    for (const rel of ['emb_rel_k', 'emb_rel_v']) shapes.set(`${prefix}.attn_layers.${i}.${rel}`, [1, 2 * a.encoder.window + 1, h / a.nHeads]);
    for (const c of ['q', 'k', 'v', 'o']) conv(shapes, `${prefix}.attn_layers.${i}.conv_${c}`, h, h, 1);
    for (const norm of ['norm_layers_1', 'norm_layers_2']) {
      shapes.set(`${prefix}.${norm}.${i}.gamma`, [h]);
      shapes.set(`${prefix}.${norm}.${i}.beta`, [h]);
    }
    conv(shapes, `${prefix}.ffn_layers.${i}.conv_1`, a.filterChannels, h, a.kernelSize);
    conv(shapes, `${prefix}.ffn_layers.${i}.conv_2`, h, a.filterChannels, a.kernelSize);
  }
}

function textEncoder(shapes: Shapes, a: SovitsPriorArchitecture): void {
  const h = a.hiddenChannels;
  const m = a.mrte.hiddenChannels;
  conv(shapes, 'enc_p.ssl_proj', h, a.sslDim, 1);
  encoder(shapes, 'enc_p.encoder_ssl', a.encoder.sslLayers, a);
  encoder(shapes, 'enc_p.encoder_text', a.encoder.textLayers, a);
  shapes.set('enc_p.text_embedding.weight', [a.symbols, h]);
  for (const c of ['q', 'k', 'v', 'o']) conv(shapes, `enc_p.mrte.cross_attention.conv_${c}`, m, m, 1);
  conv(shapes, 'enc_p.mrte.c_pre', m, h, 1);
  conv(shapes, 'enc_p.mrte.text_pre', m, h, 1);
  conv(shapes, 'enc_p.mrte.c_post', h, m, 1);
  encoder(shapes, 'enc_p.encoder2', a.encoder.encoder2Layers, a);
  conv(shapes, 'enc_p.proj', 2 * a.interChannels, h, 1);
}

function decoder(shapes: Shapes, a: SovitsArchitecture): void {
  const d = a.decoder;
  conv(shapes, 'dec.conv_pre', d.upsampleInitialChannel, a.interChannels, d.convPreKernel);
  let channels = d.upsampleInitialChannel;
  d.upsampleChannels.forEach((out, i) => {
    // ConvTranspose1d weights are [in, out, k].
    shapes.set(`dec.ups.${i}.weight`, [channels, out, d.upsampleKernelSizes[i] ?? 0]);
    shapes.set(`dec.ups.${i}.bias`, [out]);
    d.resblockKernelSizes.forEach((kernel, j) => {
      const block = i * d.resblockKernelSizes.length + j;
      const dilations = d.resblockDilationSizes[j] ?? [];
      for (const convs of ['convs1', 'convs2']) {
        dilations.forEach((_, m) => { conv(shapes, `dec.resblocks.${block}.${convs}.${m}`, out, out, kernel); });
      }
    });
    channels = out;
  });
  conv(shapes, 'dec.conv_post', 1, channels, d.convPostKernel, false);
  conv(shapes, 'dec.cond', d.upsampleInitialChannel, a.ginChannels, 1);
}

function flow(shapes: Shapes, a: SovitsArchitecture): void {
  const f = a.flow;
  const half = a.interChannels / 2;
  for (const index of f.layerIndices) {
    const p = `flow.flows.${index}`;
    conv(shapes, `${p}.pre`, f.hiddenChannels, half, 1);
    for (let l = 0; l < f.wnLayers; l += 1) {
      conv(shapes, `${p}.enc.in_layers.${l}`, 2 * f.hiddenChannels, f.hiddenChannels, f.wnKernelSize);
      conv(shapes, `${p}.enc.res_skip_layers.${l}`, l < f.wnLayers - 1 ? 2 * f.hiddenChannels : f.hiddenChannels, f.hiddenChannels, 1);
    }
    conv(shapes, `${p}.enc.cond_layer`, 2 * f.hiddenChannels * f.wnLayers, a.ginChannels, 1);
    conv(shapes, `${p}.post`, f.meanOnly ? half : 2 * half, f.hiddenChannels, 1);
  }
}

function referenceEncoder(shapes: Shapes, a: SovitsPriorArchitecture): void {
  const r = a.refEncoder;
  const h = r.hiddenChannels;
  linear(shapes, 'ref_enc.spectral.0.fc', h, r.inputBins);
  linear(shapes, 'ref_enc.spectral.3.fc', h, h);
  for (const t of [0, 1]) conv(shapes, `ref_enc.temporal.${t}.conv1.conv`, 2 * h, h, r.kernelSize);
  for (const w of ['w_qs', 'w_ks', 'w_vs', 'fc']) linear(shapes, `ref_enc.slf_attn.${w}`, h, h);
  linear(shapes, 'ref_enc.fc.fc', a.ginChannels, h);
}

/** Name -> shape of the tensors every version has: text encoder, reference encoder, prompt extractor. */
export function sovitsPriorExpectedShapes(a: SovitsPriorArchitecture): Map<string, readonly number[]> {
  const shapes: Shapes = new Map();
  textEncoder(shapes, a);
  referenceEncoder(shapes, a);
  conv(shapes, 'ssl_proj', a.sslDim, a.sslDim, a.sslProj.kernelSize);
  for (let q = 0; q < a.quantizer.layers; q += 1) shapes.set(`quantizer.vq.layers.${q}._codebook.embed`, [a.quantizer.codebookSize, a.quantizer.codebookDim]);
  return shapes;
}

/** Name -> shape of every tensor inference uses (training-only buffers excluded), in state-dict order. */
export function sovitsExpectedShapes(a: SovitsArchitecture): Map<string, readonly number[]> {
  const prior = sovitsPriorExpectedShapes(a);
  const shapes: Shapes = new Map();
  const take = (prefix: string): void => {
    for (const [name, shape] of prior) if (name.startsWith(prefix)) shapes.set(name, shape);
  };
  take('enc_p.');
  decoder(shapes, a);
  flow(shapes, a);
  take('ref_enc.');
  take('ssl_proj.');
  take('quantizer.');
  if (a.speakerFusion !== null) {
    linear(shapes, 'sv_emb', a.ginChannels, a.speakerFusion.embeddingDim);
    linear(shapes, 'ge_to512', a.mrte.hiddenChannels, a.ginChannels);
    shapes.set('prelu.weight', [a.ginChannels]);
  }
  return shapes;
}

/** Training-only state GPT-SoVITS saves (or strips) that inference never reads. */
export function isSovitsTrainingOnly(name: string): boolean {
  return name.startsWith('enc_q.') || /^quantizer\.vq\.layers\.\d+\._codebook\.(embed_avg|cluster_size|inited)$/.test(name);
}
