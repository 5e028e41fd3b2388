/**
 * Where the GPT-SoVITS parity fixtures live: `GSV_PARITY_DIR`, else `../shared/parity` beside the repository.
 * Conformance tests skip with this module's message when the directory is absent.
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

export const parityDir: string = resolve(process.env['GSV_PARITY_DIR'] ?? join(repoRoot, '..', 'shared', 'parity'));

export const parityAvailable: boolean = existsSync(join(parityDir, 'manifest.json'));

export const paritySkipReason = `GPT-SoVITS parity fixtures not found at ${parityDir} (set GSV_PARITY_DIR); conformance tests skipped`;

export function parityPath(...parts: string[]): string {
  return join(parityDir, ...parts);
}
