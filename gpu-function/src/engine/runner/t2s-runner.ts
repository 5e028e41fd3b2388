/**
 * Runs the T2S graphs for the scheduler's sequences: batched prefill of newly admitted sequences (their K/V copied
 * into their pool slots), and one decode step for the running batch (the pool's first n slots as zero-copy past,
 * each row's new K/V column appended afterwards). Turns sequences into feeds and logits back into rows; it makes no
 * scheduling or sampling decision.
 * @module
 */
import { headDim as headDimOf, type T2sDims } from '../../models/t2s/config.ts';
import { T2S_DECODE, T2S_PREFILL, newKeyName, newValueName, pastKeyName, pastValueName, presentKeyName, presentValueName, t2sKvDtype } from '../../models/t2s/io.ts';
import type { ModelSession } from '../../runtime/session.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';
import type { SlotMove } from '../scheduler/kv-slots.ts';
import type { T2sSequence } from '../scheduler/sequence.ts';
import { KvPool } from './kv-pool.ts';

export interface T2sRunnerOptions {
  readonly prefill: ModelSession;
  readonly decode: ModelSession;
  readonly dims: T2sDims;
  readonly precision: 'fp32' | 'fp16';
  readonly slots: number;
  /** Longest KV cache a sequence may need (prompt + text + 1500 generated tokens). */
  readonly maxCacheLength: number;
  readonly growStep?: number;
}

export class T2sRunner {
  readonly dims: T2sDims;
  readonly pool: KvPool;
  readonly #prefill: ModelSession;
  readonly #decode: ModelSession;

  constructor(options: T2sRunnerOptions) {
    this.dims = options.dims;
    this.#prefill = options.prefill;
    this.#decode = options.decode;
    this.pool = new KvPool({
      layers: options.dims.layers,
      heads: options.dims.heads,
      headDim: headDimOf(options.dims),
      slots: options.slots,
      dtype: t2sKvDtype(options.precision),
      growStep: options.growStep ?? 128,
      maxCapacity: options.maxCacheLength,
    });
  }

  applyMoves(moves: readonly SlotMove[]): void {
    for (const move of moves) this.pool.move(move.from, move.to);
  }

  release(slot: number): void {
    this.pool.release(slot);
  }

  /** Prefills `sequences` (already given slots) in one pass; returns each one's logits for its first token. */
  async prefill(sequences: readonly T2sSequence[]): Promise<Float32Array[]> {
    const batch = sequences.length;
    const textSlots = Math.max(...sequences.map((s) => s.input.phoneIds.length));
    const promptSlots = Math.max(...sequences.map((s) => s.input.promptTokens.length));
    const bertDim = this.dims.bertDim;
    const phones = new BigInt64Array(batch * textSlots);
    const prompt = new BigInt64Array(batch * promptSlots);
    const bert = new Float32Array(batch * textSlots * bertDim); // [B, Tx, bertDim]
    sequences.forEach((sequence, b) => {
      sequence.input.phoneIds.forEach((id, i) => (phones[b * textSlots + i] = BigInt(id)));
      sequence.input.promptTokens.forEach((token, j) => (prompt[b * promptSlots + j] = BigInt(token)));
      bert.set(sequence.input.bert, b * textSlots * bertDim);
    });
    const out = await this.#prefill.run({
      [T2S_PREFILL.phoneIds]: tensor('int64', [batch, textSlots], phones),
      [T2S_PREFILL.bert]: tensor('float32', [batch, textSlots, bertDim], bert),
      [T2S_PREFILL.promptTokens]: tensor('int64', [batch, promptSlots], prompt),
      [T2S_PREFILL.textLengths]: int64(sequences.map((s) => s.input.phoneIds.length)),
      [T2S_PREFILL.promptLengths]: int64(sequences.map((s) => s.input.promptTokens.length)),
    });
    const keys = this.#layerOutputs(out, presentKeyName);
    const values = this.#layerOutputs(out, presentValueName);
    sequences.forEach((sequence, row) => {
      this.pool.writePrefill(keys, values, textSlots, { row, textLength: sequence.input.phoneIds.length, promptLength: sequence.input.promptTokens.length }, sequence.slot);
      sequence.cacheLength = this.pool.lengths[sequence.slot] ?? 0;
    });
    return rows(out[T2S_PREFILL.logits], batch);
  }

  /**
   * One decode step for `sequences`, which must hold consecutive slots in order (the running batch is slots 0..n-1;
   * a single sequence may be stepped alone to isolate a failure); each feeds its last generated token.
   * Returns each one's logits for its next token.
   */
  async decode(sequences: readonly T2sSequence[]): Promise<Float32Array[]> {
    const batch = sequences.length;
    const first = sequences[0]?.slot ?? 0;
    sequences.forEach((sequence, row) => {
      if (sequence.slot !== first + row) throw new Error(`decode batch row ${String(row)} holds slot ${String(sequence.slot)}`);
    });
    this.pool.fit(Math.max(...sequences.map((s) => s.cacheLength)) + 1);
    const past = this.pool.views(batch, first);
    const feeds: Record<string, HostTensor> = {
      [T2S_DECODE.tokens]: int64(sequences.map((s) => s.generated.at(-1) ?? 0)),
      // The token fed at decode step i (1-based) sits at audio position P + i - 1.
      [T2S_DECODE.positions]: int64(sequences.map((s) => s.input.promptTokens.length + s.generated.length - 1)),
      [T2S_DECODE.pastLengths]: int64(sequences.map((s) => s.cacheLength)),
    };
    for (let layer = 0; layer < this.dims.layers; layer += 1) {
      feeds[pastKeyName(layer)] = past.keys[layer] as HostTensor;
      feeds[pastValueName(layer)] = past.values[layer] as HostTensor;
    }
    const out = await this.#decode.run(feeds);
    const keys = this.#layerOutputs(out, newKeyName);
    const values = this.#layerOutputs(out, newValueName);
    this.pool.append(keys, values, sequences.map((sequence) => sequence.slot));
    for (const sequence of sequences) sequence.cacheLength += 1;
    return rows(out[T2S_DECODE.logits], batch);
  }

  #layerOutputs(out: Record<string, HostTensor>, name: (layer: number) => string): HostTensor[] {
    return Array.from({ length: this.dims.layers }, (_, layer) => {
      const value = out[name(layer)];
      if (value === undefined) throw new Error(`T2S graph returned no ${name(layer)}`);
      return value;
    });
  }
}

function int64(values: readonly number[]): HostTensor {
  return tensor('int64', [values.length], BigInt64Array.from(values, BigInt));
}

function rows(logits: HostTensor | undefined, batch: number): Float32Array[] {
  if (logits?.dtype !== 'float32') throw new Error('T2S graph returned no float32 logits');
  const data = logits.data as Float32Array;
  const width = data.length / batch;
  return Array.from({ length: batch }, (_, b) => data.slice(b * width, (b + 1) * width));
}
