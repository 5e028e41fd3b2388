/**
 * ERes2NetV2 state-dict names (GPT_SoVITS/eres2net/ERes2NetV2.py, fusion.py), shared by the dims reader, the
 * checkpoint check, the BatchNorm folding and the graph. A conv and the BatchNorm after it are named as one pair.
 * @module
 */

/** A bias-free (or, in AFF, biased) Conv2d followed by a BatchNorm2d. */
export interface ConvBnNames {
  /** Module path of the conv: `<conv>.weight` (and `<conv>.bias` in AFF). */
  readonly conv: string;
  /** Module path of the BatchNorm: `.weight`, `.bias`, `.running_mean`, `.running_var`. */
  readonly bn: string;
  readonly convBias: boolean;
}

export const SV_STEM: ConvBnNames = { conv: 'conv1', bn: 'bn1', convBias: false };
/** Bias-free 3x3 stride-2 conv from layer 3's output to layer 4's shape; no BatchNorm follows it. */
export const SV_LAYER3_DS = 'layer3_ds';
export const SV_FUSE34 = 'fuse34';

/** `layer{layer + 1}.{index}`: layers are numbered from 1 in the module names. */
export const svBlock = (layer: number, index: number): string => `layer${layer + 1}.${index}`;

export const blockConv1 = (block: string): ConvBnNames => ({ conv: `${block}.conv1`, bn: `${block}.bn1`, convBias: false });
export const blockSplitConv = (block: string, i: number): ConvBnNames => ({ conv: `${block}.convs.${i}`, bn: `${block}.bns.${i}`, convBias: false });
export const blockConv3 = (block: string): ConvBnNames => ({ conv: `${block}.conv3`, bn: `${block}.bn3`, convBias: false });
/** `nn.Sequential(conv, bn)`, present only when the block changes stride or width. */
export const blockShortcut = (block: string): ConvBnNames => ({ conv: `${block}.shortcut.0`, bn: `${block}.shortcut.1`, convBias: false });
/** The AFF that fuses split `i + 1` into the running sum in a fused (layer 3/4) block. */
export const blockFuse = (block: string, i: number): string => `${block}.fuse_models.${i}`;

/** AFF's `local_att`: Sequential(conv 0, bn 1, SiLU, conv 3, bn 4), both convs with bias. */
export function affNames(aff: string): { readonly squeeze: ConvBnNames; readonly expand: ConvBnNames } {
  return {
    squeeze: { conv: `${aff}.local_att.0`, bn: `${aff}.local_att.1`, convBias: true },
    expand: { conv: `${aff}.local_att.3`, bn: `${aff}.local_att.4`, convBias: true },
  };
}

export const BN_TENSORS = ['weight', 'bias', 'running_mean', 'running_var'] as const;
