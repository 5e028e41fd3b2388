/**
 * `manifest.json` of a model bundle: what the compiler wrote and what the engine loads. The manifest lists every
 * file with its SHA-256, so the manifest's own hash identifies the bundle's exact weights; voices and synthesis keys
 * carry that hash (`model_sha256`). Its `frontend` section records the text-frontend data taken from the user's
 * GPT-SoVITS installation (null when the bundle was built without it), its `g2pw` section the user's G2PW model.
 * @module
 */
import { idSchema, sha256HexSchema } from '@gsv-edge/shared';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { frontendManifestSchema } from '../../text/frontend-data/manifest-section.ts';
import { g2pwManifestSchema } from '../../text/zh/g2pw/manifest-section.ts';
import type { BertDims } from '../bert/config.ts';
import type { HubertDims } from '../hubert/config.ts';
import type { SovitsDims } from '../sovits/config.ts';
import type { SvDims } from '../sv/config.ts';
import type { T2sDims } from '../t2s/config.ts';
import type { CfmDims } from '../cfm/config.ts';
import type { BigvganDims } from '../vocoder/bigvgan-config.ts';
import type { HifiganVocoderDims } from '../vocoder/config.ts';

export const BUNDLE_FORMAT = 'gsv-edge-bundle';
export const BUNDLE_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';

export const PRECISIONS = ['fp32', 'fp16'] as const;
export const precisionSchema = z.enum(PRECISIONS);
export type BundlePrecision = z.infer<typeof precisionSchema>;

const positiveInt = z.number().int().positive();
const intList = z.array(positiveInt).readonly();

export const t2sDimsSchema = z.strictObject({
  layers: positiveInt,
  hidden: positiveInt,
  heads: positiveInt,
  ffn: positiveInt,
  phonemeVocab: positiveInt,
  vocab: positiveInt,
  eos: positiveInt,
  bertDim: positiveInt,
}) satisfies z.ZodType<T2sDims>;

const sovitsVersionSchema = z.enum(['v1', 'v2', 'v2Pro', 'v2ProPlus']);
/** Every GPT-SoVITS version a bundle can hold: the VITS ones (`sovits` section) and v3/v4 (`cfm` section). */
const gptSovitsVersionSchema = z.enum(['v1', 'v2', 'v2Pro', 'v2ProPlus', 'v3', 'v4']);
export type BundleModelVersion = z.infer<typeof gptSovitsVersionSchema>;

const encoderDimsSchema = z.strictObject({
  sslLayers: positiveInt,
  textLayers: positiveInt,
  encoder2Layers: positiveInt,
  heads: positiveInt,
  window: positiveInt,
  filter: positiveInt,
  ffnKernel: positiveInt,
});
const mrteDimsSchema = z.strictObject({ hidden: positiveInt, heads: positiveInt });
const refEncoderDimsSchema = z.strictObject({ bins: positiveInt, hidden: positiveInt, heads: positiveInt, kernel: positiveInt, temporalLayers: positiveInt });
const generatorDimsShape = {
  initialChannels: positiveInt,
  upsampleRates: intList,
  upsampleKernels: intList,
  resblockKernels: intList,
  resblockDilations: z.array(intList).readonly(),
};

export const sovitsDimsSchema = z.strictObject({
  version: sovitsVersionSchema,
  sslDim: positiveInt,
  codebookSize: positiveInt,
  symbols: positiveInt,
  hidden: positiveInt,
  inter: positiveInt,
  gin: positiveInt,
  encoder: encoderDimsSchema,
  mrte: mrteDimsSchema,
  // Bundles written before v2Pro support have no such field: they are v1/v2.
  speakerFusion: z.strictObject({ embeddingDim: positiveInt }).nullable().default(null),
  refEncoder: refEncoderDimsSchema,
  flow: z.strictObject({
    couplings: z.array(z.number().int().nonnegative()).readonly(),
    hidden: positiveInt,
    kernel: positiveInt,
    layers: positiveInt,
    dilationRate: positiveInt,
  }),
  generator: z.strictObject(generatorDimsShape),
}) satisfies z.ZodType<SovitsDims>;

export const cfmDimsSchema = z.strictObject({
  version: z.enum(['v3', 'v4']),
  encp: z.strictObject({
    sslDim: positiveInt,
    codebookSize: positiveInt,
    symbols: positiveInt,
    hidden: positiveInt,
    gin: positiveInt,
    encoder: encoderDimsSchema,
    mrte: mrteDimsSchema,
    refEncoder: refEncoderDimsSchema,
    featureDim: positiveInt,
    wns1: z.strictObject({ hidden: positiveInt, kernel: positiveInt, layers: positiveInt, dilationRate: positiveInt, out: positiveInt }),
    frameRate: z.strictObject({ upsampleNum: positiveInt, upsampleDen: positiveInt, maskFramesPerToken: z.number().positive() }),
  }),
  dit: z.strictObject({
    dim: positiveInt,
    depth: positiveInt,
    heads: positiveInt,
    dimHead: positiveInt,
    ffDim: positiveInt,
    melDim: positiveInt,
    textDim: positiveInt,
    convLayers: positiveInt,
    convInner: positiveInt,
    convKernel: positiveInt,
    freqEmbedDim: positiveInt,
    posConvKernel: positiveInt,
    posConvGroups: positiveInt,
  }),
}) satisfies z.ZodType<CfmDims>;

export const hifiganVocoderDimsSchema = z.strictObject({ melChannels: positiveInt, ...generatorDimsShape }) satisfies z.ZodType<HifiganVocoderDims>;

export const bigvganDimsSchema = z.strictObject({
  melChannels: positiveInt,
  ...generatorDimsShape,
  activation: z.enum(['snake', 'snakebeta']),
  snakeLogscale: z.boolean(),
  filterTaps: positiveInt,
  tanhAtFinal: z.boolean(),
  biasAtFinal: z.boolean(),
  sampleRate: positiveInt,
}) satisfies z.ZodType<BigvganDims>;

/** The vocoder after the CFM: v4's HiFi-GAN (48 kHz) or v3's BigVGAN v2 (24 kHz). */
export const vocoderSectionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('hifigan'), dims: hifiganVocoderDimsSchema }),
  z.strictObject({ kind: z.literal('bigvgan'), dims: bigvganDimsSchema }),
]);
export type VocoderSection = z.infer<typeof vocoderSectionSchema>;

export const bertDimsSchema = z.strictObject({
  vocabSize: positiveInt,
  hidden: positiveInt,
  layers: positiveInt,
  heads: positiveInt,
  intermediate: positiveInt,
  maxPositions: positiveInt,
  typeVocabSize: positiveInt,
  layerNormEps: z.number().positive(),
}) satisfies z.ZodType<BertDims>;

export const hubertDimsSchema = z.strictObject({
  convDims: intList,
  convKernels: intList,
  convStrides: intList,
  convBias: z.boolean(),
  featureProjectionNorm: z.boolean(),
  hidden: positiveInt,
  layers: positiveInt,
  heads: positiveInt,
  intermediate: positiveInt,
  posConvKernel: positiveInt,
  posConvGroups: positiveInt,
  layerNormEps: z.number().positive(),
}) satisfies z.ZodType<HubertDims>;

const nonNegativeInt = z.number().int().nonnegative();

export const svDimsSchema = z.strictObject({
  featDim: positiveInt,
  stemChannels: positiveInt,
  layers: z
    .array(
      z
        .array(
          z.strictObject({
            inChannels: positiveInt,
            width: positiveInt,
            scale: positiveInt,
            outChannels: positiveInt,
            stride: positiveInt,
            fused: z.boolean(),
            affInner: nonNegativeInt,
            shortcut: z.boolean(),
          }),
        )
        .readonly(),
    )
    .readonly(),
  expansion: positiveInt,
  fuseInner: positiveInt,
  fuseChannels: positiveInt,
  fuseFreq: positiveInt,
  embeddingDim: positiveInt,
}) satisfies z.ZodType<SvDims>;

export const FILE_ROLES = [
  't2s-prefill',
  't2s-decode',
  // Optional: bundles built before the device-resident route lack it, and load with the host-pool route.
  't2s-decode-resident',
  'sovits-extract',
  'sovits-ref-encoder',
  'sovits-decoder',
  'cfm-mel',
  'cfm-encp',
  'cfm-text',
  'cfm-step',
  'vocoder',
  'bert',
  'hubert',
  'sv',
  'weights',
  'bert-vocab',
  'frontend-data',
  'g2pw',
] as const;
export type FileRole = (typeof FILE_ROLES)[number];

/**
 * A path relative to the bundle folder, with forward slashes. Every segment starts with a letter or a digit, so no
 * `..`, `.`, empty segment or leading slash can make the loader open a file outside the bundle.
 */
export const bundlePathSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]*(?:\/[a-z0-9][a-z0-9._-]*)*$/, 'must be a relative path inside the bundle');

export const bundleFileSchema = z.strictObject({
  path: bundlePathSchema,
  role: z.enum(FILE_ROLES),
  precision: precisionSchema.nullable(),
  bytes: z.number().int().nonnegative(),
  sha256: sha256HexSchema,
});
export type BundleFile = z.infer<typeof bundleFileSchema>;

const sourceFileSchema = z.strictObject({ name: z.string(), sha256: sha256HexSchema });

export const manifestSchema = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  format_version: z.literal(BUNDLE_FORMAT_VERSION),
  id: idSchema,
  created_at: z.iso.datetime(),
  producer: z.string(),
  gpt_sovits_version: gptSovitsVersionSchema,
  symbols: z.strictObject({ table: z.enum(['v1', 'v2']), count: positiveInt, sha256: sha256HexSchema }),
  sample_rate: positiveInt,
  samples_per_token: positiveInt,
  t2s: z.strictObject({
    dims: t2sDimsSchema,
    top_k: positiveInt,
    max_sec: z.number().positive(),
    /** Cosine similarity of each semantic token's embedding to the mute token (streaming mode 2 cuts on it). */
    mute_similarity: z.strictObject({ mute_token: z.number().int().nonnegative(), values: z.array(z.number().min(-1.0001).max(1.0001)).readonly() }),
  }),
  /** v1, v2, v2Pro, v2ProPlus: the VITS decoder's widths; null for v3/v4. */
  sovits: z.strictObject({ dims: sovitsDimsSchema }).nullable(),
  /**
   * v3/v4: the CFM's widths and the vocoder that follows it; absent in bundles made before v3/v4 existed.
   * `sample_steps` is the default Euler step count per chunk (GPT-SoVITS's `sample_steps`, 32).
   */
  cfm: z.strictObject({ dims: cfmDimsSchema, vocoder: vocoderSectionSchema, sample_steps: positiveInt }).nullable().default(null),
  bert: z.strictObject({ dims: bertDimsSchema }).nullable(),
  hubert: z.strictObject({ dims: hubertDimsSchema }).nullable(),
  /** v2Pro/v2ProPlus: the ERes2NetV2 speaker-verification model (`sv.onnx`); absent in bundles made before it existed. */
  sv: z.strictObject({ dims: svDimsSchema }).nullable().default(null),
  precisions: z.array(precisionSchema).min(1),
  files: z.array(bundleFileSchema),
  sources: z.strictObject({
    gpt: sourceFileSchema,
    sovits: sourceFileSchema,
    bert: z.array(sourceFileSchema).nullable(),
    hubert: z.array(sourceFileSchema).nullable(),
    sv: sourceFileSchema.nullable().default(null),
    /** v3/v4 LoRA files: the base model they were merged into. */
    sovits_base: sourceFileSchema.nullable().default(null),
    /** v3/v4: the vocoder's files (v4 `vocoder.pth`; v3 BigVGAN's `bigvgan_generator.pt` and `config.json`). */
    vocoder: z.array(sourceFileSchema).nullable().default(null),
  }),
  /** Text-frontend data from the user's GPT-SoVITS install; absent in bundles made before it existed. */
  frontend: frontendManifestSchema.nullable().default(null),
  /** The user's G2PW model (Mandarin polyphones); null without one, absent in bundles made before it existed. */
  g2pw: g2pwManifestSchema.nullable().default(null),
}).superRefine((manifest, context) => {
  // Exactly one synthesis section, the one the version uses, of that version.
  const version = manifest.gpt_sovits_version;
  const usesCfm = version === 'v3' || version === 'v4';
  if (usesCfm && (manifest.cfm === null || manifest.sovits !== null)) {
    context.addIssue({ code: 'custom', path: ['cfm'], message: `a ${version} bundle needs a cfm section and no sovits section` });
  }
  if (!usesCfm && (manifest.sovits === null || manifest.cfm !== null)) {
    context.addIssue({ code: 'custom', path: ['sovits'], message: `a ${version} bundle needs a sovits section and no cfm section` });
  }
  const sectionVersion = manifest.sovits?.dims.version ?? manifest.cfm?.dims.version;
  if (sectionVersion !== undefined && sectionVersion !== version) {
    context.addIssue({ code: 'custom', path: ['gpt_sovits_version'], message: `the bundle says ${version} but its model section is ${sectionVersion}` });
  }
  const expectedVocoder = version === 'v4' ? 'hifigan' : 'bigvgan';
  if (manifest.cfm !== null && manifest.cfm.vocoder.kind !== expectedVocoder) {
    context.addIssue({ code: 'custom', path: ['cfm', 'vocoder', 'kind'], message: `a ${version} model is vocoded by ${expectedVocoder}, not ${manifest.cfm.vocoder.kind}` });
  }
  // A model that fuses a speaker embedding needs the model that computes it, of the width it projects.
  const fusion = manifest.sovits?.dims.speakerFusion ?? null;
  if (fusion !== null && manifest.sv?.dims.embeddingDim !== fusion.embeddingDim) {
    context.addIssue({
      code: 'custom',
      path: ['sv'],
      message: `a ${version} model needs a speaker-verification model with a ${String(fusion.embeddingDim)}-wide embedding`,
    });
  }
  if (fusion === null && manifest.sv !== null) {
    context.addIssue({ code: 'custom', path: ['sv'], message: `a ${version} model takes no speaker embedding` });
  }
  // The g2pw section and the file list must name the same files; G2PW needs the BERT tokenizer.
  const g2pwListed = manifest.files.filter((file) => file.role === 'g2pw').map((file) => file.path);
  const g2pwDescribed = manifest.g2pw?.files ?? [];
  if (g2pwListed.join('\n') !== g2pwDescribed.join('\n')) {
    context.addIssue({
      code: 'custom',
      path: ['g2pw'],
      message: `g2pw files [${g2pwListed.join(', ')}] do not match the g2pw section's [${g2pwDescribed.join(', ')}]`,
    });
  }
  if (manifest.g2pw !== null && manifest.bert === null) {
    context.addIssue({ code: 'custom', path: ['g2pw'], message: 'a bundle with G2PW needs BERT (G2PW tokenizes with its vocab.txt)' });
  }
  // The frontend section and the file list must name the same frontend-data files.
  const listed = manifest.files.filter((file) => file.role === 'frontend-data').map((file) => file.path).sort();
  const described = (manifest.frontend?.data ?? []).flatMap((entry) => entry.files).sort();
  if (listed.join('\n') !== described.join('\n')) {
    context.addIssue({
      code: 'custom',
      path: ['frontend'],
      message: `frontend-data files [${listed.join(', ')}] do not match the frontend section's [${described.join(', ')}]`,
    });
  }
});
export type BundleManifest = z.infer<typeof manifestSchema>;

/** Reads and checks `<dir>/manifest.json`; errors name the file and the first problem. */
export async function readBundleManifest(dir: string): Promise<BundleManifest> {
  const file = join(dir, MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: not a gsv-edge bundle manifest (${issue === undefined ? 'invalid' : `${issue.path.join('.') || 'manifest'}: ${issue.message}`})`);
  }
  return parsed.data;
}
