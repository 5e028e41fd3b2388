/**
 * Voice features by version: an LRU in memory in front of files on disk. Entries are immutable (a version is a
 * content hash), so concurrent readers can share them and a stale entry cannot exist.
 *
 * Memory is bounded twice, by voices and by bytes (a v3/v4 voice's CFM prompt makes it several times larger than a
 * v2 one): past either limit the least recently used voice leaves memory and is read back from its file the next
 * time it is needed. A voice larger than the whole byte limit is never held; it is read from disk at each use.
 * @module
 */
import { LRUCache } from 'lru-cache';
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserializeFeatures, FEATURES_FORMAT_VERSION, serializeFeatures, type VoiceFeatures } from './features.ts';

export interface FeatureCacheOptions {
  readonly dir: string;
  /** Voices kept in memory. */
  readonly maxEntries: number;
  /** Bytes of feature arrays kept in memory (default: no bound beyond `maxEntries`). */
  readonly maxBytes?: number;
}

export class VoiceFeatureCache {
  readonly #dir: string;
  readonly #memory: LRUCache<string, VoiceFeatures>;
  /** Lookups answered (from memory or disk) and not, since start: the cache's worth, for metrics. */
  hits = 0;
  misses = 0;

  constructor(options: FeatureCacheOptions) {
    this.#dir = options.dir;
    this.#memory = new LRUCache({
      max: options.maxEntries,
      ...(options.maxBytes === undefined ? {} : { maxSize: options.maxBytes, sizeCalculation: featureBytes }),
    });
  }

  /** Voices held in memory now. */
  get entries(): number {
    return this.#memory.size;
  }

  /** Bytes of the feature arrays held in memory now. */
  get bytes(): number {
    let total = 0;
    for (const features of this.#memory.values()) total += featureBytes(features);
    return total;
  }

  async get(version: string): Promise<VoiceFeatures | undefined> {
    const cached = this.#memory.get(version);
    if (cached !== undefined) {
      this.hits += 1;
      return cached;
    }
    let bytes: Uint8Array;
    try {
      bytes = await readFile(this.#path(version));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        this.misses += 1;
        return undefined;
      }
      throw error;
    }
    const features = deserializeFeatures(bytes, this.#path(version));
    this.#memory.set(version, features);
    this.hits += 1;
    return features;
  }

  async put(features: VoiceFeatures): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    const path = this.#path(features.version);
    // Write then rename, so a crash never leaves a truncated file that a restart would read.
    const temporary = `${path}.${String(process.pid)}.${randomUUID()}.tmp`;
    await writeFile(temporary, serializeFeatures(features));
    await rename(temporary, path);
    this.#memory.set(features.version, features);
  }

  #path(version: string): string {
    if (!/^[0-9a-f]{64}$/.test(version)) throw new Error(`invalid voice version ${version}`);
    // The format is in the name: features computed another way are a miss, recomputed, never read as these.
    return join(this.#dir, `${version}.f${String(FEATURES_FORMAT_VERSION)}.gsvf`);
  }
}

/** What a voice's features hold in memory: its arrays (the rest is a few dozen bytes). */
function featureBytes(features: VoiceFeatures): number {
  const arrays = [features.promptTokens, features.ge, features.promptPhoneIds, features.promptBert, features.cfmPrompt?.mel, features.cfmPrompt?.fea];
  return Math.max(1, arrays.reduce((sum, array) => sum + (array?.byteLength ?? 0), 0));
}
