/**
 * Runs the bundle's `sovits-decoder` over many segments at once: items are checked, grouped into length buckets
 * (batch-plan.ts) and each group decoded in one graph call. Failures stay with their item: a bad item is refused
 * before any call, a failed call is retried item by item so only the item that breaks it fails, and audio that is
 * not finite is an error, never returned as success.
 * @module
 */
import type { Feeds } from '../../runtime/session.ts';
import type { HostTensor } from '../../tensor/tensor.ts';
import type { LoadedBundle } from '../bundle/loaded-bundle.ts';
import { DEFAULT_BATCH_LIMITS, checkBatchLimits, planBatches, type BatchLimits } from './batch-plan.ts';
import { decoderFeeds, splitAudio } from './feeds.ts';
import { itemFrameCount, itemProblem, VocoderError, type VocoderDims, type VocoderItem, type VocoderResult } from './item.ts';

/** The part of `ModelSession` the runner uses (tests wrap a real session to inject faults). */
export interface DecoderSession {
  readonly label: string;
  run(feeds: Feeds): Promise<Record<string, HostTensor>>;
}

export interface VocoderBatchStats {
  readonly items: number;
  /** Padded frames of the call (items × longest) and the frames the items need. */
  readonly paddedFrames: number;
  readonly usefulFrames: number;
  readonly milliseconds: number;
  /** The call failed (its items are then retried one by one, each reported again). */
  readonly failed: boolean;
}

export class VocoderRunner {
  readonly dims: VocoderDims;
  readonly limits: BatchLimits;
  readonly #session: DecoderSession;
  readonly #onBatch: ((stats: VocoderBatchStats) => void) | undefined;

  /** `onBatch` is called after every graph call, for metrics. */
  constructor(session: DecoderSession, dims: VocoderDims, limits: Partial<BatchLimits> = {}, onBatch?: (stats: VocoderBatchStats) => void) {
    this.#session = session;
    this.dims = dims;
    this.limits = { ...DEFAULT_BATCH_LIMITS, ...limits };
    checkBatchLimits(this.limits);
    this.#onBatch = onBatch;
  }

  static fromBundle(bundle: LoadedBundle, limits: Partial<BatchLimits> = {}, onBatch?: (stats: VocoderBatchStats) => void): VocoderRunner {
    const sovits = bundle.manifest.sovits;
    const decoder = bundle.sessions.sovitsDecoder;
    if (sovits === null || decoder === undefined) throw new Error(`bundle ${bundle.manifest.id} is a ${bundle.manifest.gpt_sovits_version} model: it has no SoVITS decoder`);
    const { inter, gin, codebookSize, symbols } = sovits.dims;
    return new VocoderRunner(decoder, { inter, gin, codebookSize, symbols }, limits, onBatch);
  }

  /** Decodes every item; results are in input order, one per item. Never rejects. */
  async decode(items: readonly VocoderItem[]): Promise<VocoderResult[]> {
    const results: VocoderResult[] = new Array<VocoderResult>(items.length);
    const runnable: number[] = [];
    items.forEach((item, index) => {
      const problem = itemProblem(item, this.dims);
      if (problem === undefined) runnable.push(index);
      else results[index] = { status: 'rejected', reason: new VocoderError(item, problem) };
    });
    const groups = planBatches(runnable.map((index) => itemFrameCount(items[index] as VocoderItem)), this.limits);
    for (const group of groups) {
      const indices = group.map((position) => runnable[position] as number);
      const settled = await this.#runGroup(indices.map((index) => items[index] as VocoderItem));
      indices.forEach((index, k) => (results[index] = settled[k] as VocoderResult));
    }
    return results;
  }

  /** One call for the group; when it fails, one call per item so the failure lands on the item that causes it. */
  async #runGroup(group: readonly VocoderItem[]): Promise<VocoderResult[]> {
    try {
      const audio = await this.#call(group);
      return group.map((item, k) => checked(item, audio[k] as Float32Array));
    } catch (error) {
      if (group.length === 1) {
        const item = group[0] as VocoderItem;
        return [{ status: 'rejected', reason: new VocoderError(item, `decoder failed: ${messageOf(error)}`, { cause: error }) }];
      }
      const retried: VocoderResult[] = [];
      for (const item of group) retried.push(...(await this.#runGroup([item])));
      return retried;
    }
  }

  async #call(group: readonly VocoderItem[]): Promise<Float32Array[]> {
    const frames = group.map(itemFrameCount);
    const started = performance.now();
    let failed = true;
    try {
      const audio = splitAudio(await this.#session.run(decoderFeeds(group, this.dims)), group);
      failed = false;
      return audio;
    } finally {
      this.#onBatch?.({
        items: group.length,
        paddedFrames: group.length * Math.max(...frames),
        usefulFrames: frames.reduce((sum, f) => sum + f, 0),
        milliseconds: performance.now() - started,
        failed,
      });
    }
  }
}

function checked(item: VocoderItem, audio: Float32Array): VocoderResult {
  const bad = audio.findIndex((sample) => !Number.isFinite(sample));
  if (bad >= 0) return { status: 'rejected', reason: new VocoderError(item, `decoder produced a non-finite sample (${audio[bad]} at ${bad} of ${audio.length})`) };
  return { status: 'fulfilled', value: audio };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
