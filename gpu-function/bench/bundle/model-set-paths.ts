/**
 * Where the bench keeps the synthetic model set and its bundle inside the run's work folder, shared by the scenarios
 * that write, build and load them.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleSources } from '../../src/models/bundle/build.ts';

/** Written last by write-models.ts: its presence means the set is complete. */
export const MODEL_SET_MARKER = 'complete.json';

export interface CompleteModelSet {
  readonly parameters: number;
  readonly seconds: number;
  /** The SoVITS version written; absent in markers written before v3/v4 sets existed (those were VITS sets). */
  readonly version?: string;
  /** `tiny` or `full`; absent in markers written before tiny sets could be asked for (those were full). */
  readonly size?: 'tiny' | 'full';
  /**
   * The vocoder of a v3/v4 set, relative to the set's folder (`vocoder.pth`, or the BigVGAN folder): recorded here
   * so build.ts takes the path writeSyntheticModelSet chose instead of repeating its layout.
   */
  readonly vocoder?: string;
}

/** The marker of a complete set in `dir`, or undefined when the set is absent or was never finished. */
export function readCompleteModelSet(dir: string): CompleteModelSet | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, MODEL_SET_MARKER), 'utf8')) as CompleteModelSet;
  } catch {
    return undefined;
  }
}

/** The files writeSyntheticModelSet laid out in `dir` (`sv.ckpt` only in v2Pro/v2ProPlus sets, a vocoder only in v3/v4). */
export function modelSetSources(dir: string): BundleSources {
  const sv = join(dir, 'sv.ckpt');
  const vocoder = readCompleteModelSet(dir)?.vocoder;
  return {
    gpt: join(dir, 'gpt.ckpt'),
    sovits: join(dir, 'sovits.pth'),
    bert: join(dir, 'bert'),
    hubert: join(dir, 'hubert'),
    ...(existsSync(sv) ? { sv } : {}),
    ...(vocoder === undefined ? {} : { vocoder: join(dir, vocoder) }),
  };
}
