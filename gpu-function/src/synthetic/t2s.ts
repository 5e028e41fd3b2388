/**
 * Synthetic GPT-SoVITS GPT checkpoints (`.ckpt`): `{weight: OrderedDict(model.* fp16), config: s1 yaml dict, info}`
 * exactly as `s1_train.py` saves them, at tiny size for tests or the real v2 size (24 layers, 512-d, 16 heads,
 * 77.6 M parameters) for benchmarks.
 * @module
 */
import { t2sExpectedShapes, type T2sArchitecture } from '../checkpoint/gpt-sovits-t2s.ts';
import { PickleFloat, PickleOrderedDict, type PickleWriteValue } from '../checkpoint/pickle-writer.ts';
import { writeTorchCheckpoint } from '../checkpoint/torch-writer.ts';
import { constant, defaultInit, type TensorSpec } from './init.ts';
import { countParameters, specTensors } from './state-dict.ts';

export interface T2sDims {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly phonemes: number;
  /** Semantic tokens + EOS. */
  readonly vocab: number;
  /** BERT feature width (= the BERT model's hidden size). */
  readonly bertDim: number;
}

/** s1longer-v2.yaml: what GPT-SoVITS v2 trains. */
export const T2S_FULL_V2: T2sDims = { layers: 24, hidden: 512, heads: 16, phonemes: 732, vocab: 1025, bertDim: 1024 };
/** A few hundred thousand parameters; bertDim matches the tiny synthetic BERT. */
export const T2S_TINY: T2sDims = { layers: 2, hidden: 32, heads: 2, phonemes: 732, vocab: 1025, bertDim: 64 };

function architecture(d: T2sDims): T2sArchitecture {
  return {
    embeddingDim: d.hidden,
    hiddenDim: d.hidden,
    heads: d.heads,
    headDim: d.hidden / d.heads,
    layers: d.layers,
    ffnDim: 4 * d.hidden,
    phonemeVocabSize: d.phonemes,
    vocabSize: d.vocab,
    eos: d.vocab - 1,
    bertDim: d.bertDim,
    layerNormEps: 1e-5,
    topK: 15,
    maxSec: 54,
  };
}

export function t2sSpecs(d: T2sDims): TensorSpec[] {
  return [...t2sExpectedShapes(architecture(d))].map(([name, shape]) => ({
    name,
    shape,
    init: name.endsWith('position.alpha') ? constant(1) : defaultInit(name, shape),
  }));
}

/** The config dict as s1_train.py stores it (the yaml after a dump/load round trip: keys sorted). */
export function t2sConfig(d: T2sDims): PickleWriteValue {
  return {
    data: { max_eval_sample: 8, max_sec: 54, num_workers: 4, pad_val: d.vocab - 1 },
    inference: { top_k: 15 },
    model: {
      EOS: d.vocab - 1,
      dropout: 0,
      embedding_dim: d.hidden,
      head: d.heads,
      hidden_dim: d.hidden,
      linear_units: 4 * d.hidden,
      n_layer: d.layers,
      phoneme_vocab_size: d.phonemes,
      random_bert: 0,
      vocab_size: d.vocab,
    },
    optimizer: { decay_steps: 40000, lr: 0.01, lr_end: 0.0001, lr_init: 0.00001, warmup_steps: 2000 },
    output_dir: 'logs/synthetic/logs_s1_v2',
    pretrained_s1: 'GPT_SoVITS/pretrained_models/gsv-v2final-pretrained/s1bert25hz-5kh-longer-epoch=12-step=369668.ckpt',
    train: {
      batch_size: 4,
      epochs: 15,
      exp_name: 'synthetic',
      gradient_clip: new PickleFloat(1),
      half_weights_save_dir: 'GPT_weights_v2',
      if_dpo: false,
      if_save_every_weights: true,
      if_save_latest: true,
      precision: '16-mixed',
      save_every_n_epoch: 5,
      seed: 1234,
    },
    train_phoneme_path: 'logs/synthetic/2-name2text.txt',
    train_semantic_path: 'logs/synthetic/6-name2semantic.tsv',
  };
}

/** Writes a GPT `.ckpt` with fp16 weights; returns its parameter count. */
export async function writeSyntheticT2s(file: string, dims: T2sDims, options: { seed: number }): Promise<number> {
  const specs = t2sSpecs(dims);
  const weight = new PickleOrderedDict(specTensors(specs, 'float16', options.seed, (name) => `model.${name}`));
  const root = new PickleOrderedDict([['weight', weight], ['config', t2sConfig(dims)], ['info', 'GPT-e15']]);
  // my_save writes through a temporary file named after time.time(), which becomes the record folder.
  await writeTorchCheckpoint(file, root, { folder: '1700000000.0000000' });
  return countParameters(specs);
}
