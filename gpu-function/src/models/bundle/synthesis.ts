/**
 * Reads the SoVITS file of a bundle by its kind: a v3/v4 file (full or LoRA; a header tag of theirs or `cfm.*`
 * weights) goes to the CFM reader with its base and vocoder, anything else to the VITS reader, which also explains
 * files that are no SoVITS model at all.
 * @module
 */
import { peekSovitsCfmFile } from '../../checkpoint/index.ts';
import { readCfmSynthesis } from './cfm-synthesis.ts';
import type { BundleSources } from './sources.ts';
import type { SynthesisPart } from './synthesis-part.ts';
import { readVitsSynthesis } from './vits-synthesis.ts';

export async function readSynthesis(sources: BundleSources): Promise<SynthesisPart> {
  const cfm = await peekSovitsCfmFile(sources.sovits);
  return cfm === undefined ? readVitsSynthesis(sources) : readCfmSynthesis(sources, cfm);
}
