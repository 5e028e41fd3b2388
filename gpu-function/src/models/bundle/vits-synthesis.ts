/**
 * The synthesis part of v1/v2/v2Pro/v2ProPlus bundles: the SoVITS file's VITS graphs (`sovits-extract`,
 * `sovits-ref-encoder`, `sovits-decoder`) and, for v2Pro/v2ProPlus, the speaker-verification model (`sv.onnx`), which
 * comes from `--sv` or the GPT-SoVITS installation. Options that only v3/v4 models use are refused here.
 * @module
 */
import { basename } from 'node:path';
import { readSovitsCheckpoint, sha256File, symbolTableOf, type SovitsCheckpoint, type TensorStore } from '../../checkpoint/index.ts';
import { samplesPerFrame } from '../sovits/config.ts';
import { sovitsDimsFromArchitecture } from '../sovits/from-checkpoint.ts';
import { writeSovitsGraphs } from '../sovits/write.ts';
import { readSvCheckpoint, writeSvGraph, type SvCheckpoint } from '../sv/index.ts';
import { BundleError } from './errors.ts';
import type { GraphRole } from './layout.ts';
import { locateInput, SV_INSTALL_PATH, type BundleSources } from './sources.ts';
import { FRAMES_PER_TOKEN, type SynthesisPart } from './synthesis-part.ts';

export async function readVitsSynthesis(sources: BundleSources): Promise<SynthesisPart> {
  const sovits = await readSovitsCheckpoint(sources.sovits);
  const stores: TensorStore[] = [sovits.weights];
  try {
    refuseCfmOptions(sources, sovits);
    const sv = await readSpeakerVerification(sources, sovits.architecture.speakerFusion?.embeddingDim, sovits.version);
    if (sv !== undefined) stores.push(sv.weights);
    const dims = sovitsDimsFromArchitecture(sovits.architecture);
    return {
      version: sovits.version,
      symbols: { table: symbolTableOf(sovits.version), count: dims.symbols },
      sslDim: dims.sslDim,
      sampleRate: sovits.architecture.samplingRate,
      samplesPerToken: FRAMES_PER_TOKEN * samplesPerFrame(dims),
      stores,
      sections: { sovits: { dims }, cfm: null, sv: sv === undefined ? null : { dims: sv.dims } },
      sources: {
        sovits: { name: basename(sovits.file), sha256: sovits.sha256 },
        sv: sv === undefined ? null : { name: basename(sv.file), sha256: await sha256File(sv.file) },
        sovits_base: null,
        vocoder: null,
      },
      async writeGraphs({ dir, precision, externalData, report }) {
        const roles: GraphRole[] = [];
        report(`writing ${precision} SoVITS graphs`);
        await writeSovitsGraphs({ dir, weights: sovits.weights, dims, precision, externalData });
        roles.push('sovits-extract', 'sovits-ref-encoder', 'sovits-decoder');
        if (sv !== undefined) {
          report(`writing ${precision} speaker-verification graph`);
          await writeSvGraph(dir, sv.weights, { dims: sv.dims, precision, externalData });
          roles.push('sv');
        }
        return roles;
      },
    };
  } catch (error) {
    for (const store of stores) await store.close();
    throw error;
  }
}

/** The v3/v4 options say something about the model that is not so for a VITS one: worth saying rather than ignoring. */
function refuseCfmOptions(sources: BundleSources, sovits: SovitsCheckpoint): void {
  const model = `${sources.sovits} is a SoVITS ${sovits.version} model, whose VITS decoder makes the audio`;
  if (sources.vocoder !== undefined) throw new BundleError(`--vocoder ${sources.vocoder} is only used by SoVITS v3/v4 models; ${model}`);
  if (sources.sovitsBase !== undefined) throw new BundleError(`--sovits-base ${sources.sovitsBase} is only used by SoVITS v3/v4 LoRA files; ${model}`);
  if (sources.sovitsVersion !== undefined) throw new BundleError(`--version ${sources.sovitsVersion} only tells SoVITS v3 from v4; ${model}`);
}

/**
 * The speaker-verification model a v2Pro/v2ProPlus bundle needs (`--sv`, else the one in `--gpt-sovits-dir`), checked
 * against the width the SoVITS model projects; other versions take none, and an explicit `--sv` for them is a mistake
 * worth saying.
 */
async function readSpeakerVerification(sources: BundleSources, embeddingDim: number | undefined, version: string): Promise<SvCheckpoint | undefined> {
  if (embeddingDim === undefined) {
    if (sources.sv !== undefined) throw new BundleError(`--sv ${sources.sv} is only used by v2Pro/v2ProPlus models; ${sources.sovits} is a SoVITS ${version} model`);
    return undefined;
  }
  const { path: file, looked } = await locateInput(sources.sv, sources.gptSovitsDir, SV_INSTALL_PATH);
  if (file === undefined) {
    throw new BundleError(
      `${sources.sovits} is a SoVITS ${version} model: it needs GPT-SoVITS's speaker-verification model; pass --sv pretrained_models/sv/pretrained_eres2netv2w24s4ep4.ckpt or --gpt-sovits-dir${looked}`,
    );
  }
  const sv = await readSvCheckpoint(file);
  if (sv.dims.embeddingDim !== embeddingDim) {
    await sv.weights.close();
    throw new BundleError(`${file} gives ${String(sv.dims.embeddingDim)}-wide speaker embeddings but ${sources.sovits} projects ${String(embeddingDim)}-wide ones (sv_emb.weight)`);
  }
  return sv;
}
