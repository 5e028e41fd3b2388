/**
 * The synthesis part of v3/v4 bundles: the SoVITS file (a full model, or a LoRA merged into its base) compiled into
 * `sovits-extract`, `sovits-ref-encoder` and the CFM graphs (`cfm-mel`, `cfm-encp`, `cfm-text`, `cfm-step`), and its
 * vocoder into `vocoder.onnx`. The base comes from `--sovits-base` or where GPT-SoVITS keeps it inside the
 * installation (a LoRA file never names it: TTS.py loads the pretrained path); the vocoder likewise.
 * @module
 */
import { basename } from 'node:path';
import {
  CFM_BASE_INSTALL_PATHS,
  readSovitsCfmCheckpoint,
  SYMBOL_TABLE_VERSIONS,
  symbolTableOf,
  type CfmSovitsVersion,
  type SovitsCfmCheckpoint,
  type SovitsCfmFileKind,
} from '../../checkpoint/index.ts';
import { CFM_MEL, type CfmDims } from '../cfm/config.ts';
import { cfmDimsFromArchitecture } from '../cfm/from-checkpoint.ts';
import { writeCfmGraphs } from '../cfm/write.ts';
import { BundleError } from './errors.ts';
import { locateInput, type BundleSources } from './sources.ts';
import { FRAMES_PER_TOKEN, type SynthesisPart } from './synthesis-part.ts';
import { readBundleVocoder, type BundleVocoder } from './vocoder-source.ts';

/** GPT-SoVITS's `sample_steps` default for v3/v4: Euler steps per CFM chunk. */
export const CFM_SAMPLE_STEPS = 32;

export async function readCfmSynthesis(sources: BundleSources, kind: SovitsCfmFileKind): Promise<SynthesisPart> {
  const said = kind.version ?? sources.sovitsVersion;
  const model = `${sources.sovits} is a SoVITS ${said ?? 'v3/v4'} ${kind.lora ? 'LoRA' : 'model'}`;
  if (sources.sv !== undefined) throw new BundleError(`--sv ${sources.sv} is only used by v2Pro/v2ProPlus models; ${model}`);
  if (!kind.lora && sources.sovitsBase !== undefined) throw new BundleError(`--sovits-base ${sources.sovitsBase} is only used by v3/v4 LoRA files; ${model}, not a LoRA`);
  const base = kind.lora ? await locateBase(sources, said, model) : undefined;
  const cfm = await readSovitsCfmCheckpoint(sources.sovits, {
    ...(base === undefined ? {} : { base }),
    ...(sources.sovitsVersion === undefined ? {} : { version: sources.sovitsVersion }),
  });
  let vocoder: BundleVocoder | undefined;
  try {
    vocoder = await readBundleVocoder(sources, cfm.version);
    return assemble(sources, cfm, vocoder);
  } catch (error) {
    await cfm.weights.close();
    await vocoder?.weights.close();
    throw error;
  }
}

async function locateBase(sources: BundleSources, version: CfmSovitsVersion | undefined, model: string): Promise<string> {
  if (sources.sovitsBase !== undefined) return sources.sovitsBase;
  if (version === undefined) throw new BundleError(`${model} that does not say its version: pass --sovits-base (s2Gv3.pth or gsv-v4-pretrained/s2Gv4.pth)`);
  const { path, looked } = await locateInput(undefined, sources.gptSovitsDir, CFM_BASE_INSTALL_PATHS[version]);
  if (path === undefined) throw new BundleError(`${model}: it needs its base model; pass --sovits-base ${CFM_BASE_INSTALL_PATHS[version]} or --gpt-sovits-dir${looked}`);
  return path;
}

function assemble(sources: BundleSources, cfm: SovitsCfmCheckpoint, vocoder: BundleVocoder): SynthesisPart {
  const version = cfm.version;
  let dims: CfmDims;
  try {
    dims = cfmDimsFromArchitecture(cfm.architecture);
  } catch (error) {
    throw new BundleError(`${sources.sovits}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const table = symbolTableOf(version);
  if (SYMBOL_TABLE_VERSIONS.get(dims.encp.symbols) !== table) {
    throw new BundleError(`${sources.sovits} embeds ${String(dims.encp.symbols)} phone symbols (enc_p.text_embedding.weight); a SoVITS ${version} model reads the ${table} table`);
  }
  if (vocoder.melChannels !== dims.dit.melDim) {
    throw new BundleError(`${vocoder.label} reads ${String(vocoder.melChannels)}-band mels but ${sources.sovits}'s CFM makes ${String(dims.dit.melDim)}-band ones`);
  }
  // The CFM makes mels at the reference mel's frame rate (CFM_MEL); the vocoder must turn each into hop samples at its rate.
  const mel = CFM_MEL[version];
  if (mel.sampleRate * vocoder.hop !== mel.hop * vocoder.sampleRate) {
    throw new BundleError(
      `${vocoder.label} makes ${String(vocoder.sampleRate)} Hz audio from ${String(vocoder.sampleRate / vocoder.hop)} mel frames per second; a SoVITS ${version} CFM makes ${String(mel.sampleRate / mel.hop)}`,
    );
  }
  // Each token is FRAMES_PER_TOKEN prior frames, each `upsampleNum / upsampleDen` mel frames (decode_encp's nearest
  // interpolation: ×2 for v4, ×1.875 for v3), each `hop` samples: 4 · 480 = 1920 (v4), 3.75 · 256 = 960 (v3).
  const { upsampleNum, upsampleDen } = dims.encp.frameRate;
  const samplesPerToken = (FRAMES_PER_TOKEN * upsampleNum * vocoder.hop) / upsampleDen;
  if (!Number.isInteger(samplesPerToken)) {
    throw new BundleError(`${vocoder.label}: ${String(vocoder.hop)} samples per mel frame give ${String(samplesPerToken)} samples per token, not a whole number`);
  }
  return {
    version,
    symbols: { table, count: dims.encp.symbols },
    sslDim: dims.encp.sslDim,
    sampleRate: vocoder.sampleRate,
    samplesPerToken,
    stores: [cfm.weights, vocoder.weights],
    sections: { sovits: null, cfm: { dims, vocoder: vocoder.section, sample_steps: CFM_SAMPLE_STEPS }, sv: null },
    sources: {
      sovits: { name: basename(cfm.file), sha256: cfm.sha256 },
      sv: null,
      sovits_base: cfm.lora === null ? null : { name: basename(cfm.lora.base), sha256: cfm.lora.baseSha256 },
      vocoder: [...vocoder.sources],
    },
    async writeGraphs({ dir, precision, externalData, report }) {
      report(`writing ${precision} SoVITS ${version} graphs (CFM)`);
      await writeCfmGraphs({ dir, weights: cfm.weights, dims, precision, externalData });
      report(`writing ${precision} vocoder graph (${vocoder.section.kind})`);
      await vocoder.write({ dir, precision, externalData });
      return ['sovits-extract', 'sovits-ref-encoder', 'cfm-mel', 'cfm-encp', 'cfm-text', 'cfm-step', 'vocoder'];
    },
  };
}
