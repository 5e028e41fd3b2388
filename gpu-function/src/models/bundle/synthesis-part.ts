/**
 * The part of a bundle that turns semantic tokens into audio, as the build sees it: the VITS decoder (v1, v2, v2Pro,
 * v2ProPlus; with the speaker-verification model for the Pro ones) or, for v3/v4, the CFM and its vocoder. Everything
 * else in a bundle (T2S, BERT, HuBERT, frontend data) is the same for every version and only needs what this reports.
 * @module
 */
import type { TensorStore } from '../../checkpoint/index.ts';
import type { ExternalDataFile } from '../../onnx/external-data.ts';
import type { GraphRole } from './layout.ts';
import type { BundleManifest, BundleModelVersion, BundlePrecision } from './manifest.ts';

export interface GraphTarget {
  readonly dir: string;
  readonly precision: BundlePrecision;
  readonly externalData: ExternalDataFile;
  readonly report: (message: string) => void;
}

export interface SynthesisPart {
  readonly version: BundleModelVersion;
  /** The phone table the model's text embedding reads, and its row count. */
  readonly symbols: { readonly table: 'v1' | 'v2'; readonly count: number };
  /** Width of the HuBERT features the model's `ssl_proj` takes. */
  readonly sslDim: number;
  /** Rate of the audio the last graph writes (the VITS decoder's, or the vocoder's). */
  readonly sampleRate: number;
  readonly samplesPerToken: number;
  /** Every tensor store opened; the caller closes them. */
  readonly stores: readonly TensorStore[];
  readonly sections: Pick<BundleManifest, 'sovits' | 'cfm' | 'sv'>;
  readonly sources: Pick<BundleManifest['sources'], 'sovits' | 'sv' | 'sovits_base' | 'vocoder'>;
  /** Writes this part's graphs of one precision into the shared weight file; returns their roles in writing order. */
  writeGraphs(target: GraphTarget): Promise<GraphRole[]>;
}

/** A source file entry of the manifest. */
export type SourceFile = BundleManifest['sources']['gpt'];

/**
 * What every SoVITS frame rate shares: GPT-SoVITS's 25 Hz semantic tokens, each two of the prior's frames (`ssl_proj`
 * stride 2 when extracting; the quantized codes repeated ×2 when decoding).
 */
export const FRAMES_PER_TOKEN = 2;
