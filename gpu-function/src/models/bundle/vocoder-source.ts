/**
 * The vocoder a v3/v4 bundle needs after its CFM, from `--vocoder` or where TTS.init_vocoder loads it inside the
 * GPT-SoVITS installation: v4's HiFi-GAN `vocoder.pth` (48 kHz) or v3's BigVGAN v2 folder (24 kHz). A vocoder of the
 * other version is refused before anything is compiled: it would read the CFM's mels at the wrong frame rate.
 * @module
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { readBigvgan, readV4Vocoder, type CfmSovitsVersion, type LazyTensorStore } from '../../checkpoint/index.ts';
import type { ExternalDataFile } from '../../onnx/external-data.ts';
import type { Precision } from '../../onnx/values.ts';
import { writeBigvganVocoder } from '../vocoder/bigvgan-write.ts';
import { hopOf } from '../vocoder/config.ts';
import { hifiganDimsFromArchitecture } from '../vocoder/from-checkpoint.ts';
import { writeHifiganVocoder } from '../vocoder/write.ts';
import { BundleError } from './errors.ts';
import type { VocoderSection } from './manifest.ts';
import { locateInput, VOCODER_INSTALL_PATHS, type BundleSources } from './sources.ts';
import type { SourceFile } from './synthesis-part.ts';

export interface BundleVocoder {
  /** How the user named it, for messages: `--vocoder PATH` or the path found in the installation. */
  readonly label: string;
  readonly section: VocoderSection;
  readonly weights: LazyTensorStore;
  readonly sampleRate: number;
  /** Audio samples per mel frame. */
  readonly hop: number;
  readonly melChannels: number;
  readonly sources: readonly SourceFile[];
  write(options: { readonly dir: string; readonly precision: Precision; readonly externalData: ExternalDataFile }): Promise<void>;
}

const WHAT: Readonly<Record<CfmSovitsVersion, string>> = {
  v4: "GPT-SoVITS's v4 vocoder (gsv-v4-pretrained/vocoder.pth)",
  v3: 'the BigVGAN v2 vocoder (the folder models--nvidia--bigvgan_v2_24khz_100band_256x, holding bigvgan_generator.pt and config.json)',
};

export async function readBundleVocoder(sources: BundleSources, version: CfmSovitsVersion): Promise<BundleVocoder> {
  const { path, looked } = await locateInput(sources.vocoder, sources.gptSovitsDir, VOCODER_INSTALL_PATHS[version]);
  if (path === undefined) {
    throw new BundleError(`${sources.sovits} is a SoVITS ${version} model: it needs ${WHAT[version]}; pass --vocoder ${VOCODER_INSTALL_PATHS[version]} or --gpt-sovits-dir${looked}`);
  }
  const label = sources.vocoder === undefined ? path : `--vocoder ${path}`;
  // A missing path is left to the readers, whose messages name it.
  const kind = await stat(path).then((s) => (s.isDirectory() ? 'folder' : 'file'), () => 'missing');
  if (version === 'v4' && kind === 'folder') {
    throw new BundleError(`${label} is a folder (BigVGAN, v3's vocoder?); ${sources.sovits} is a SoVITS v4 model: it needs ${WHAT.v4}`);
  }
  if (version === 'v3' && kind === 'file') {
    throw new BundleError(`${label} is a file (v4's vocoder.pth?); ${sources.sovits} is a SoVITS v3 model: it needs ${WHAT.v3}`);
  }
  return version === 'v4' ? readHifigan(path, label) : readBigvganVocoder(path, label);
}

async function readHifigan(path: string, label: string): Promise<BundleVocoder> {
  const vocoder = await readV4Vocoder(path);
  const dims = await closingOnError(vocoder.weights, label, () => hifiganDimsFromArchitecture(vocoder.architecture));
  return {
    label,
    section: { kind: 'hifigan', dims },
    weights: vocoder.weights,
    sampleRate: vocoder.architecture.sampleRate,
    hop: hopOf(dims),
    melChannels: dims.melChannels,
    sources: [{ name: basename(path), sha256: vocoder.sha256 }],
    async write({ dir, precision, externalData }) {
      await writeHifiganVocoder({ dir, weights: vocoder.weights, dims, precision, externalData });
    },
  };
}

async function readBigvganVocoder(path: string, label: string): Promise<BundleVocoder> {
  const vocoder = await readBigvgan(path);
  // The reader has checked every tensor against config.json: its architecture is the compiler's dims as they are.
  const dims = vocoder.architecture;
  return {
    label,
    section: { kind: 'bigvgan', dims },
    weights: vocoder.weights,
    sampleRate: dims.sampleRate,
    hop: hopOf(dims),
    melChannels: dims.melChannels,
    sources: Object.entries(vocoder.sha256).map(([name, sha256]) => ({ name, sha256 })),
    async write({ dir, precision, externalData }) {
      await writeBigvganVocoder({ dir, weights: vocoder.weights, dims, precision, externalData });
    },
  };
}

/** The compiler's dims from what the reader checked; a relation the graph needs that fails names the vocoder. */
async function closingOnError<T>(weights: LazyTensorStore, label: string, derive: () => T): Promise<T> {
  try {
    return derive();
  } catch (error) {
    await weights.close();
    throw new BundleError(`${label}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
