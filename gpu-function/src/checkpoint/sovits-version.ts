/**
 * SoVITS version detection as GPT-SoVITS does it: the 2-byte header tag first (process_ckpt.py `head2version`), then
 * the weights themselves (TTS.py: 322 text-embedding rows mean v1; v2Pro adds `sv_emb`/`ge_to512`; v3/v4 have a
 * `cfm` decoder). The MD5-of-pretrained-files shortcut is not needed: the weights decide the same thing.
 * @module
 */
import type { TensorStore } from './tensor-store.ts';
import type { HeaderTag } from './header.ts';
import type { ConfigReader } from './plain.ts';

export type SovitsVersion = 'v1' | 'v2' | 'v2Pro' | 'v2ProPlus' | 'v3' | 'v4' | 'v3-lora' | 'v4-lora';

/** The VITS-decoder versions (v2Pro/v2ProPlus add the speaker-verification fusion). */
export type VitsSovitsVersion = 'v1' | 'v2' | 'v2Pro' | 'v2ProPlus';
export const VITS_SOVITS_VERSIONS = ['v1', 'v2', 'v2Pro', 'v2ProPlus'] as const satisfies readonly VitsSovitsVersion[];

/** The versions that decode through a conditional flow-matching model (DiT) and a separate vocoder. */
export type CfmSovitsVersion = 'v3' | 'v4';

/**
 * MD5 of the first 8192 bytes of GPT-SoVITS's pretrained full v3/v4 models (`process_ckpt.hash_pretrained_dict`):
 * the only way a `PK` file tells v3 from v4 by itself when its config does not say.
 */
export const PRETRAINED_CFM_HASHES: ReadonlyMap<string, CfmSovitsVersion> = new Map<string, CfmSovitsVersion>([
  ['43797be674a37c1c83ee81081941ed0f', 'v3'],
  ['4f26b9476d0c5033e04162c486074374', 'v4'],
]);

export function isVitsSovitsVersion(version: SovitsVersion): version is VitsSovitsVersion {
  return (VITS_SOVITS_VERSIONS as readonly SovitsVersion[]).includes(version);
}

/** v2Pro/v2ProPlus fuse an ERes2NetV2 speaker embedding into `ge` (`sv_emb`, `prelu`, `ge_to512`). */
export function fusesSpeakerEmbedding(version: VitsSovitsVersion): boolean {
  return version === 'v2Pro' || version === 'v2ProPlus';
}

/** The phone table a version reads: v2Pro/v2ProPlus and v3/v4 keep v2's 732 symbols. */
export function symbolTableOf(version: VitsSovitsVersion | CfmSovitsVersion): 'v1' | 'v2' {
  return version === 'v1' ? 'v1' : 'v2';
}

/** Symbol-table sizes (text/symbols.py, text/symbols2.py) -> version. */
export const SYMBOL_TABLE_VERSIONS: ReadonlyMap<number, 'v1' | 'v2'> = new Map([
  [322, 'v1'],
  [732, 'v2'],
]);

const HEADER_TAG_VERSIONS: ReadonlyMap<HeaderTag, SovitsVersion> = new Map<HeaderTag, SovitsVersion>([
  ['02', 'v3'],
  ['03', 'v3-lora'],
  ['04', 'v4-lora'],
  ['05', 'v2Pro'],
  ['06', 'v2ProPlus'],
]);

/** The version a header tag settles on its own (`00`/`01`/`PK` leave it to the weights). */
export function versionFromHeader(header: HeaderTag): SovitsVersion | undefined {
  return HEADER_TAG_VERSIONS.get(header);
}

/** Versions the weights reveal beyond v1/v2, or undefined for a v1/v2 layout. */
export function newerVersionFromWeights(weights: TensorStore, config: ConfigReader): SovitsVersion | undefined {
  const names = weights.names();
  const declared = config.get('model.version') ?? config.get('version');
  if (names.some((name) => name.startsWith('cfm.'))) return declared === 'v4' ? 'v4' : 'v3';
  if (weights.info('sv_emb.weight') !== undefined || weights.info('ge_to512.weight') !== undefined) {
    if (declared === 'v2Pro' || declared === 'v2ProPlus') return declared;
    // v2ProPlus differs from v2Pro by its first upsampling kernel (20 instead of 16).
    const firstUp = weights.info('dec.ups.0.weight_v') ?? weights.info('dec.ups.0.weight');
    return firstUp?.shape[2] === 20 ? 'v2ProPlus' : 'v2Pro';
  }
  return undefined;
}

/** Why the VITS reader cannot take a version: what that version needs besides the SoVITS weights. */
export function unsupportedReason(version: SovitsVersion): string | undefined {
  switch (version) {
    case 'v1':
    case 'v2':
    case 'v2Pro':
    case 'v2ProPlus':
      return undefined;
    case 'v3':
      return "v3 decodes through a CFM (DiT) mel decoder and the BigVGAN v2 24 kHz vocoder, not the VITS decoder this reader is for; `gsv-edge bundle` reads it with GPT-SoVITS's BigVGAN folder (--vocoder or --gpt-sovits-dir)";
    case 'v4':
      return "v4 decodes through a CFM (DiT) mel decoder and GPT-SoVITS's v4 vocoder (vocoder.pth), not the VITS decoder this reader is for; `gsv-edge bundle` reads it with that vocoder (--vocoder or --gpt-sovits-dir)";
    case 'v3-lora':
      return 'a v3 LoRA checkpoint needs the s2Gv3 base model to merge into, the CFM (DiT) mel decoder and the BigVGAN vocoder; `gsv-edge bundle` reads it with its base (--sovits-base or --gpt-sovits-dir)';
    case 'v4-lora':
      return 'a v4 LoRA checkpoint needs the s2Gv4 base model to merge into, the CFM (DiT) mel decoder and the v4 vocoder; `gsv-edge bundle` reads it with its base (--sovits-base or --gpt-sovits-dir)';
  }
}
