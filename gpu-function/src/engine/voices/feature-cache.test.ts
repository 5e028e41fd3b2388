import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VoiceFeatureCache } from './feature-cache.ts';
import { FEATURES_FORMAT_VERSION, type VoiceFeatures } from './features.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const features = (version: string): VoiceFeatures => ({
  version,
  promptTokens: Int32Array.of(5, 900, 17),
  ge: Float32Array.of(0.25, -1.5, 3),
  promptPhoneIds: Int32Array.of(1, 2, 3, 4, 5),
  promptBert: Float32Array.from({ length: 5 * 1024 }, (_, i) => Math.sin(i)),
});

describe('voice feature cache', () => {
  it('restores identical features from disk after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-voices-'));
    dirs.push(dir);
    const version = 'a'.repeat(64);
    await new VoiceFeatureCache({ dir, maxEntries: 4 }).put(features(version));
    const restored = await new VoiceFeatureCache({ dir, maxEntries: 4 }).get(version);
    expect(restored).toEqual(features(version));
  });

  it('answers undefined for an unknown version and refuses a corrupt file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-voices-'));
    dirs.push(dir);
    const cache = new VoiceFeatureCache({ dir, maxEntries: 1 });
    expect(await cache.get('b'.repeat(64))).toBeUndefined();
    await writeFile(join(dir, `${'c'.repeat(64)}.f${String(FEATURES_FORMAT_VERSION)}.gsvf`), 'garbage');
    await expect(cache.get('c'.repeat(64))).rejects.toThrow(/not a voice feature file/);
  });

  it('misses features computed in another format instead of reading them as these', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-voices-'));
    dirs.push(dir);
    const version = 'd'.repeat(64);
    await new VoiceFeatureCache({ dir, maxEntries: 4 }).put(features(version));
    await rename(join(dir, `${version}.f${String(FEATURES_FORMAT_VERSION)}.gsvf`), join(dir, `${version}.f${String(FEATURES_FORMAT_VERSION + 1)}.gsvf`));
    const cache = new VoiceFeatureCache({ dir, maxEntries: 4 });
    expect(await cache.get(version)).toBeUndefined();
    expect([cache.hits, cache.misses]).toEqual([0, 1]);
  });
});
