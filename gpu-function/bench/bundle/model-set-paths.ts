/**
 * Where the bench keeps the synthetic model set and its bundle inside the run's work folder, shared by the scenarios
 * that write, build and load them.
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BundleSources } from '../../src/models/bundle/build.ts';

/** Written last by write-models.ts: its presence means the set is complete. */
export const MODEL_SET_MARKER = 'complete.json';

export interface CompleteModelSet {
  readonly parameters: number;
  readonly seconds: number;
}

/** The files writeSyntheticModelSet lays out in `dir` (`sv.ckpt` only in v2Pro/v2ProPlus sets). */
export function modelSetSources(dir: string): BundleSources {
  const sv = join(dir, 'sv.ckpt');
  return { gpt: join(dir, 'gpt.ckpt'), sovits: join(dir, 'sovits.pth'), bert: join(dir, 'bert'), hubert: join(dir, 'hubert'), ...(existsSync(sv) ? { sv } : {}) };
}
