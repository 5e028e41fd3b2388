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

export const sovitsDimsSchema = z.strictObject({
  version: sovitsVersionSchema,
  sslDim: positiveInt,
  codebookSize: positiveInt,
  symbols: positiveInt,
  hidden: positiveInt,
  inter: positiveInt,
  gin: positiveInt,
  encoder: z.strictObject({
    sslLayers: positiveInt,
    textLayers: positiveInt,
    encoder2Layers: positiveInt,
    heads: positiveInt,
    window: positiveInt,
    filter: positiveInt,
    ffnKernel: positiveInt,
  }),
  mrte: z.strictObject({ hidden: positiveInt, heads: positiveInt }),
  // Bundles written before v2Pro support have no such field: they are v1/v2.
  speakerFusion: z.strictObject({ embeddingDim: positiveInt }).nullable().default(null),
  refEncoder: z.strictObject({ bins: positiveInt, hidden: positiveInt, heads: positiveInt, kernel: positiveInt, temporalLayers: positiveInt }),
  flow: z.strictObject({
    couplings: z.array(z.number().int().nonnegative()).readonly(),
    hidden: positiveInt,
    kernel: positiveInt,
    layers: positiveInt,
    dilationRate: positiveInt,
  }),
  generator: z.strictObject({
    initialChannels: positiveInt,
    upsampleRates: intList,
    upsampleKernels: intList,
    resblockKernels: intList,
    resblockDilations: z.array(intList).readonly(),
  }),
}) satisfies z.ZodType<SovitsDims>;

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
  'sovits-extract',
  'sovits-ref-encoder',
  'sovits-decoder',
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
  gpt_sovits_version: sovitsVersionSchema,
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
  sovits: z.strictObject({ dims: sovitsDimsSchema }),
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
  }),
  /** Text-frontend data from the user's GPT-SoVITS install; absent in bundles made before it existed. */
  frontend: frontendManifestSchema.nullable().default(null),
  /** The user's G2PW model (Mandarin polyphones); null without one, absent in bundles made before it existed. */
  g2pw: g2pwManifestSchema.nullable().default(null),
}).superRefine((manifest, context) => {
  // A model that fuses a speaker embedding needs the model that computes it, of the width it projects.
  const fusion = manifest.sovits.dims.speakerFusion;
  if (fusion !== null && manifest.sv?.dims.embeddingDim !== fusion.embeddingDim) {
    context.addIssue({
      code: 'custom',
      path: ['sv'],
      message: `a ${manifest.sovits.dims.version} model needs a speaker-verification model with a ${String(fusion.embeddingDim)}-wide embedding`,
    });
  }
  if (fusion === null && manifest.sv !== null) {
    context.addIssue({ code: 'custom', path: ['sv'], message: `a ${manifest.sovits.dims.version} model takes no speaker embedding` });
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
