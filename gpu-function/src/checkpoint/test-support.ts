/**
 * Helpers shared by the checkpoint and synthetic tests: where the parity fixtures are, scratch folders, and float64
 * sums of tensors (the statistic the fixtures' index files record).
 * @module
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { toFloat64, type HostTensor } from '../tensor/index.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** GSV_PARITY_DIR, or ../shared/parity relative to the repo root. */
export const PARITY_DIR = resolve(REPO_ROOT, process.env.GSV_PARITY_DIR ?? '../shared/parity');
export const HAVE_PARITY = existsSync(join(PARITY_DIR, 'manifest.json'));
export const PARITY_SKIP_NOTE = `SKIPPED: GPT-SoVITS parity fixtures not found at ${PARITY_DIR} (set GSV_PARITY_DIR)`;

export function sums(tensor: HostTensor): { sum: number; sumAbs: number } {
  let sum = 0;
  let sumAbs = 0;
  for (const value of toFloat64(tensor).data) {
    sum += value;
    sumAbs += Math.abs(value);
  }
  return { sum, sumAbs };
}

export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'gsv-checkpoint-'));
  try {
    return await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Awaits `promise`, expecting it to reject; returns the error for further checks. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error('rejected with a non-Error', { cause: error });
  }
  throw new Error('expected a rejection, but the promise resolved');
}
