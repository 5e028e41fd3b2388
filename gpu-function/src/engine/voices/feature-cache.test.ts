import { mkdtemp, readdir, readFile, rename, rm, truncate, writeFile } from 'node:fs/promises';
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

function fileOf(dir: string, version: string): string {
  return join(dir, `${version}.f${String(FEATURES_FORMAT_VERSION)}.gsvf`);
}

describe('voice feature cache', () => {
  it('restores identical features from disk after a restart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-voices-'));
    dirs.push(dir);
    const version = 'a'.repeat(64);
    await new VoiceFeatureCache({ dir, maxEntries: 4 }).put(features(version));
    const restored = await new VoiceFeatureCache({ dir, maxEntries: 4 }).get(version);
    expect(restored).toEqual(features(version));
  });

  it('answers undefined for an unknown version, and refuses a corrupt file with a notice, removing it (a miss)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-voices-'));
    dirs.push(dir);
    const notices: string[] = [];
    const cache = new VoiceFeatureCache({ dir, maxEntries: 1, log: (message) => notices.push(message) });
    expect(await cache.get('b'.repeat(64))).toBeUndefined();
    await writeFile(fileOf(dir, 'c'.repeat(64)), 'garbage');
    expect(await cache.get('c'.repeat(64))).toBeUndefined();
    expect(notices).toEqual([expect.stringMatching(/refused and removed, to be computed again: .*not a voice feature file/)]);
    expect(await readdir(dir)).toEqual([]);
    expect([cache.hits, cache.misses]).toEqual([0, 2]);
  });

  it('refuses a final file cut short (a crash in a write that was not atomic) and serves features put again', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-voices-'));
    dirs.push(dir);
    const version = 'e'.repeat(64);
    await new VoiceFeatureCache({ dir, maxEntries: 4 }).put(features(version));
    const whole = (await readFile(fileOf(dir, version))).length;
    for (const length of [whole - 1, Math.floor(whole / 2), 40, 6]) {
      await new VoiceFeatureCache({ dir, maxEntries: 4 }).put(features(version));
      await truncate(fileOf(dir, version), length);
      const notices: string[] = [];
      const cache = new VoiceFeatureCache({ dir, maxEntries: 4, log: (message) => notices.push(message) });
      expect(await cache.get(version)).toBeUndefined();
      expect(notices).toEqual([expect.stringMatching(/truncated|not a voice feature file/)]);
      await cache.put(features(version));
      expect(await new VoiceFeatureCache({ dir, maxEntries: 4 }).get(version)).toEqual(features(version));
    }
  });

  it('refuses a file whose arrays were damaged in place (its SHA-256 no longer matches)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-voices-'));
    dirs.push(dir);
    const version = 'f'.repeat(64);
    await new VoiceFeatureCache({ dir, maxEntries: 4 }).put(features(version));
    const bytes = await readFile(fileOf(dir, version));
    bytes[bytes.length - 3] = (bytes[bytes.length - 3] ?? 0) ^ 0xff;
    await writeFile(fileOf(dir, version), bytes);
    const notices: string[] = [];
    expect(await new VoiceFeatureCache({ dir, maxEntries: 4, log: (message) => notices.push(message) }).get(version)).toBeUndefined();
    expect(notices).toEqual([expect.stringMatching(/do not match their SHA-256/)]);
  });

  it('never reads a temporary file a killed writer left (never renamed), and removes it at start', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-voices-'));
    dirs.push(dir);
    const version = '1'.repeat(64);
    // A writer killed between its write and its rename: whole or half, the temporary must never be read.
    await writeFile(`${fileOf(dir, version)}.4194305.00000000-0000-4000-8000-000000000000.tmp`, 'GSVF half');
    await writeFile(join(dir, 'unrelated.txt'), 'kept');
    const notices: string[] = [];
    const cache = new VoiceFeatureCache({ dir, maxEntries: 4, log: (message) => notices.push(message) });
    expect(await cache.get(version)).toBeUndefined();
    await cache.removeLeftovers();
    expect(await readdir(dir)).toEqual(['unrelated.txt']);
    expect(notices).toEqual([expect.stringMatching(/removed 1 temporary files left by an interrupted write/)]);
    await cache.put(features(version));
    expect((await readdir(dir)).sort()).toEqual([`${version}.f${String(FEATURES_FORMAT_VERSION)}.gsvf`, 'unrelated.txt']);
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

  it('holds at most its limit of voices in memory, and reads an evicted voice back from its file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-voices-'));
    dirs.push(dir);
    const cache = new VoiceFeatureCache({ dir, maxEntries: 3 });
    const versions = ['1', '2', '3', '4', '5'].map((digit) => digit.repeat(64));
    for (const version of versions) await cache.put(features(version));
    expect(cache.entries).toBe(3);
    // The first voice left memory but not the disk: the same features come back, and it is held again.
    expect(await cache.get(versions[0] as string)).toEqual(features(versions[0] as string));
    expect(cache.entries).toBe(3);
    expect([cache.hits, cache.misses]).toEqual([1, 0]);
  });

  it('holds at most its limit of bytes in memory, evicting the least recently used voice', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-voices-'));
    dirs.push(dir);
    const oneVoice = (3 + 3 + 5 + 5 * 1024) * 4;
    const cache = new VoiceFeatureCache({ dir, maxEntries: 100, maxBytes: 2 * oneVoice + oneVoice / 2 });
    const versions = ['6', '7', '8', '9'].map((digit) => digit.repeat(64));
    for (const version of versions) await cache.put(features(version));
    expect(cache.entries).toBe(2);
    expect(cache.bytes).toBe(2 * oneVoice);
    expect(cache.bytes).toBeLessThanOrEqual(2 * oneVoice + oneVoice / 2);
    expect(await cache.get(versions[1] as string)).toEqual(features(versions[1] as string));
    expect(cache.bytes).toBe(2 * oneVoice);
  });

  it('never holds a voice larger than the whole byte limit, yet still answers it from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-voices-'));
    dirs.push(dir);
    const cache = new VoiceFeatureCache({ dir, maxEntries: 100, maxBytes: 1024 });
    const version = 'e'.repeat(64);
    await cache.put(features(version));
    expect([cache.entries, cache.bytes]).toEqual([0, 0]);
    expect(await cache.get(version)).toEqual(features(version));
    expect(cache.entries).toBe(0);
  });
});
