/**
 * Voice features by version: an LRU in memory in front of files on disk. Entries are immutable (a version is a
 * content hash), so concurrent readers can share them and a stale entry cannot exist.
 *
 * Files are written crash-safely (storage/atomic-write.ts). A file that still does not read back (damaged on disk,
 * or left by an older writer) is refused with a logged reason and removed, and the lookup is a miss, so the
 * features are computed again instead of being served or failing every request for the voice.
 *
 * Memory is bounded twice, by voices and by bytes (a v3/v4 voice's CFM prompt makes it several times larger than a
 * v2 one): past either limit the least recently used voice leaves memory and is read back from its file the next
 * time it is needed. A voice larger than the whole byte limit is never held; it is read from disk at each use.
 * @module
 */
import { LRUCache } from 'lru-cache';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { removeLeftoverTemporaries, writeFileAtomically } from '../../storage/atomic-write.ts';
import { deserializeFeatures, FEATURES_FORMAT_VERSION, FeatureFileError, serializeFeatures, type VoiceFeatures } from './features.ts';

export interface FeatureCacheOptions {
  readonly dir: string;
  /** Voices kept in memory. */
  readonly maxEntries: number;
  /** Where refused files and removed leftovers are reported; stderr by default. */
  readonly log?: (message: string) => void;
  /** Bytes of feature arrays kept in memory (default: no bound beyond `maxEntries`). */
  readonly maxBytes?: number;
}

export class VoiceFeatureCache {
  readonly #dir: string;
  readonly #memory: LRUCache<string, VoiceFeatures>;
  readonly #log: (message: string) => void;
  /** Lookups answered (from memory or disk) and not, since start: the cache's worth, for metrics. */
  hits = 0;
  misses = 0;

  constructor(options: FeatureCacheOptions) {
    this.#dir = options.dir;
    this.#memory = new LRUCache({
      max: options.maxEntries,
      ...(options.maxBytes === undefined ? {} : { maxSize: options.maxBytes, sizeCalculation: featureBytes }),
    });
    this.#log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  }

  /** Removes what writes killed mid-way left behind; call once at start, before any `put`. */
  async removeLeftovers(): Promise<void> {
    const removed = await removeLeftoverTemporaries(this.#dir);
    if (removed.length > 0) this.#log(`voice features: removed ${String(removed.length)} temporary files left by an interrupted write in ${this.#dir}`);
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
    let features: VoiceFeatures;
    try {
      features = deserializeFeatures(bytes, this.#path(version));
      if (features.version !== version) throw new FeatureFileError(`${this.#path(version)} holds the features of version ${features.version}`);
    } catch (error) {
      if (!(error instanceof FeatureFileError)) throw error;
      this.#log(`voice features refused and removed, to be computed again: ${error.message}`);
      await rm(this.#path(version), { force: true });
      this.misses += 1;
      return undefined;
    }
    this.#memory.set(version, features);
    this.hits += 1;
    return features;
  }

  async put(features: VoiceFeatures): Promise<void> {
    await mkdir(this.#dir, { recursive: true });
    await writeFileAtomically(this.#path(features.version), serializeFeatures(features));
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
