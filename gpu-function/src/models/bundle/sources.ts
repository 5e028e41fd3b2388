/**
 * What a bundle is built from, as the user gives it (`gsv-edge bundle` flags), and where GPT-SoVITS keeps the
 * pretrained files inside its installation, for the inputs that default to them.
 * @module
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CfmSovitsVersion } from '../../checkpoint/index.ts';

export interface BundleSources {
  readonly gpt: string;
  readonly sovits: string;
  /** chinese-roberta-wwm-ext-large folder; without it the bundle has no BERT and Mandarin gets zero features. */
  readonly bert?: string;
  /** chinese-hubert-base folder; without it the bundle cannot register new voices. */
  readonly hubert?: string;
  /**
   * The user's GPT-SoVITS installation: its text-frontend data (word lists, dictionaries) goes into `frontend/`, and
   * the pretrained files a model needs (speaker verification, a LoRA's base, the vocoder) are found in it.
   * Without it (and without `pythonSitePackages`) the bundle's frontend runs on npm data only.
   */
  readonly gptSovitsDir?: string;
  /** site-packages folders of GPT-SoVITS's Python environment (pypinyin, g2p_en), searched first. */
  readonly pythonSitePackages?: readonly string[];
  /** NLTK data folders (English POS tagger), searched before those found in the install and NLTK's usual places. */
  readonly nltkData?: readonly string[];
  /**
   * The user's G2PWModel folder; without it, `GPT_SoVITS/text/G2PWModel` inside `gptSovitsDir` is used when present.
   * G2PW needs BERT's vocab.txt, so it requires `bert`.
   */
  readonly g2pwDir?: string;
  /**
   * GPT-SoVITS's speaker-verification model (`pretrained_models/sv/pretrained_eres2netv2w24s4ep4.ckpt`), which
   * v2Pro/v2ProPlus models need; found inside `gptSovitsDir` when not given.
   */
  readonly sv?: string;
  /**
   * The base model a v3/v4 LoRA file is merged into (`s2Gv3.pth` / `gsv-v4-pretrained/s2Gv4.pth`); found inside
   * `gptSovitsDir` when not given.
   */
  readonly sovitsBase?: string;
  /** v3 or v4, for a full SoVITS v3/v4 file that does not say which (its header, hash and config are silent). */
  readonly sovitsVersion?: CfmSovitsVersion;
  /**
   * The vocoder after a v3/v4 model's CFM: v4 `gsv-v4-pretrained/vocoder.pth`, v3 the BigVGAN folder
   * `models--nvidia--bigvgan_v2_24khz_100band_256x`; found inside `gptSovitsDir` when not given.
   */
  readonly vocoder?: string;
}

/** Where GPT-SoVITS keeps the speaker-verification model inside its installation (`sv.py`'s `sv_path`). */
export const SV_INSTALL_PATH = 'GPT_SoVITS/pretrained_models/sv/pretrained_eres2netv2w24s4ep4.ckpt';

/** Where `TTS.init_vocoder` loads each version's vocoder from, relative to the installation. */
export const VOCODER_INSTALL_PATHS: Readonly<Record<CfmSovitsVersion, string>> = {
  v3: 'GPT_SoVITS/pretrained_models/models--nvidia--bigvgan_v2_24khz_100band_256x',
  v4: 'GPT_SoVITS/pretrained_models/gsv-v4-pretrained/vocoder.pth',
};

/** A pretrained input: the path given, else the installation's copy when it exists; `looked` says where it was sought. */
export async function locateInput(
  given: string | undefined,
  gptSovitsDir: string | undefined,
  installPath: string,
): Promise<{ readonly path: string | undefined; readonly looked: string }> {
  if (given !== undefined) return { path: given, looked: '' };
  if (gptSovitsDir === undefined) return { path: undefined, looked: '' };
  const installed = join(gptSovitsDir, installPath);
  return (await exists(installed)) ? { path: installed, looked: '' } : { path: undefined, looked: ` (not found at ${installed})` };
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
