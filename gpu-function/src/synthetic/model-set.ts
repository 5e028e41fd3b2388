/**
 * One call that writes a complete synthetic GPT-SoVITS model set into a folder, laid out as a user holds it:
 * `gpt.ckpt`, `sovits.pth`, `bert/` (chinese-roberta-wwm-ext-large shape), `hubert/` (chinese-hubert-base shape),
 * for v2Pro/v2ProPlus `sv.ckpt` (the ERes2NetV2 speaker-verification model), for v4 `vocoder.pth` and for v3
 * `bigvgan/` (the vocoders after the CFM). Tiny sets are internally consistent (BERT width = T2S bert_proj input,
 * HuBERT width = SoVITS SSL width, SV embedding = SoVITS `sv_emb` input).
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CfmSovitsVersion } from '../checkpoint/sovits-version.ts';
import { BERT_FULL, BERT_TINY, writeSyntheticBert } from './bert.ts';
import { BIGVGAN_FULL, BIGVGAN_TINY, writeSyntheticBigvgan } from './bigvgan.ts';
import type { HfWeightsFormat } from './hf-folder.ts';
import { HUBERT_FULL, HUBERT_TINY, writeSyntheticHubert } from './hubert.ts';
import { writeSyntheticSovits } from './sovits.ts';
import { writeSyntheticSovitsCfm, writeSyntheticV4Vocoder } from './sovits-cfm.ts';
import { SV_FULL, SV_TINY, writeSyntheticSv } from './sv.ts';
import { sovitsDims, type SyntheticSovitsVersion } from './sovits-dims.ts';
import type { WeightDType } from './state-dict.ts';
import { T2S_FULL_V2, T2S_TINY, writeSyntheticT2s } from './t2s.ts';

/** Every SoVITS version a synthetic set can hold: the VITS ones and v3/v4 (CFM + vocoder). */
export type SyntheticModelVersion = SyntheticSovitsVersion | CfmSovitsVersion;

export interface SyntheticModelSetOptions {
  /** `tiny` for tests (about 1 M parameters in all); `full` for benchmarks (the real v2 sizes, about 540 M). */
  readonly size: 'tiny' | 'full';
  readonly sovitsVersion?: SyntheticModelVersion;
  /** Write `bert/` (default true). */
  readonly bert?: boolean;
  /** Write `hubert/` (default true). */
  readonly hubert?: boolean;
  readonly seed?: number;
  /** Weights file of the HF folders (default `bin`, i.e. pytorch_model.bin). */
  readonly hfFormat?: HfWeightsFormat;
  /** Precision of the HF weights (default float32, as save_pretrained writes). */
  readonly hfDtype?: WeightDType;
}

export interface SyntheticModelSet {
  readonly gpt: string;
  readonly sovits: string;
  readonly bert: string | undefined;
  readonly hubert: string | undefined;
  /** The speaker-verification checkpoint, for v2Pro/v2ProPlus sets. */
  readonly sv: string | undefined;
  /** The vocoder after the CFM: `vocoder.pth` for v4, the BigVGAN folder for v3. */
  readonly vocoder: string | undefined;
  /** Parameters written per file/folder (tied weights counted once). */
  readonly parameters: {
    readonly gpt: number;
    readonly sovits: number;
    readonly bert: number;
    readonly hubert: number;
    readonly sv: number;
    readonly vocoder: number;
  };
}

/** Writes the set into `dir` (created if needed) and returns the paths and parameter counts. */
export async function writeSyntheticModelSet(dir: string, options: SyntheticModelSetOptions): Promise<SyntheticModelSet> {
  const full = options.size === 'full';
  const seed = options.seed ?? 1;
  const hf = { seed, format: options.hfFormat ?? 'bin', dtype: options.hfDtype ?? 'float32' } as const;
  await mkdir(dir, { recursive: true });
  const gpt = join(dir, 'gpt.ckpt');
  const sovits = join(dir, 'sovits.pth');
  const bert = options.bert === false ? undefined : join(dir, 'bert');
  const hubert = options.hubert === false ? undefined : join(dir, 'hubert');
  const version = options.sovitsVersion ?? 'v2';
  const sv = version === 'v2Pro' || version === 'v2ProPlus' ? join(dir, 'sv.ckpt') : undefined;
  const vocoder = version === 'v4' ? join(dir, 'vocoder.pth') : version === 'v3' ? join(dir, 'bigvgan') : undefined;
  // Sequential on purpose: one tensor in memory at a time keeps a full set well under a gigabyte of RSS.
  const gptParameters = await writeSyntheticT2s(gpt, full ? T2S_FULL_V2 : T2S_TINY, { seed });
  const sovitsParameters =
    version === 'v3' || version === 'v4'
      ? await writeSyntheticSovitsCfm(sovits, { version, size: options.size }, { seed: seed + 1 })
      : await writeSyntheticSovits(sovits, sovitsDims(version, options.size), { seed: seed + 1 });
  const bertParameters = bert === undefined ? 0 : await writeSyntheticBert(bert, full ? BERT_FULL : BERT_TINY, { ...hf, seed: seed + 2 });
  const hubertParameters = hubert === undefined ? 0 : await writeSyntheticHubert(hubert, full ? HUBERT_FULL : HUBERT_TINY, { ...hf, seed: seed + 3 });
  const svParameters = sv === undefined ? 0 : await writeSyntheticSv(sv, full ? SV_FULL : SV_TINY, { seed: seed + 4 });
  const vocoderParameters =
    vocoder === undefined
      ? 0
      : version === 'v4'
        ? await writeSyntheticV4Vocoder(vocoder, options.size, { seed: seed + 5 })
        : await writeSyntheticBigvgan(vocoder, full ? BIGVGAN_FULL : BIGVGAN_TINY, { seed: seed + 5 });
  return {
    gpt,
    sovits,
    bert,
    hubert,
    sv,
    vocoder,
    parameters: { gpt: gptParameters, sovits: sovitsParameters, bert: bertParameters, hubert: hubertParameters, sv: svParameters, vocoder: vocoderParameters },
  };
}
