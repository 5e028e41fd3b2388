/**
 * Runs the T2S graphs for the scheduler's sequences: batched prefill of newly admitted sequences (their K/V copied
 * into their pool slots), and one decode step for the running batch (the pool's first n slots as zero-copy past,
 * each row's new K/V column appended afterwards). Turns sequences into feeds and logits back into rows; it makes no
 * scheduling or sampling decision.
 *
 * The resident route (when given `decodeResident`: the WebGPU provider and a bundle with the resident decode graph)
 * keeps the decode batch's pool on the device: the graph returns the pool with the new column written in, and the
 * next step feeds it back, so a step moves only tokens, positions, lengths, logits and the new K/V columns (none of
 * which grow with the cache). The host pool stays the source of truth (the new columns are still appended to it).
 * When the batch's composition or the capacity changes (an admission, a sequence leaving, a slot move, a resize),
 * the next step first runs the pool-rebuild graph (models/t2s/pool-graph.ts: Gather of the rows that stay, Slice/Pad
 * of the columns, plus the rows of sequences just prefilled, uploaded from the host pool); without that graph, or
 * when no row of the device pool is reused, it uploads the whole host pool once.
 * @module
 */
import { headDim as headDimOf, type T2sDims } from '../../models/t2s/config.ts';
import { T2S_DECODE, T2S_POOL_REBUILD, T2S_PREFILL, freshPoolName, newKeyName, oldPoolName, rebuiltPoolName, newValueName, pastKeyName, pastValueName, presentKeyName, presentValueName, t2sKvDtype } from '../../models/t2s/io.ts';
import { DeviceTensor, type ModelSession } from '../../runtime/session.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';
import type { SlotMove } from '../scheduler/kv-slots.ts';
import type { T2sSequence } from '../scheduler/sequence.ts';
import { KvPool } from './kv-pool.ts';

export interface T2sRunnerOptions {
  readonly prefill: ModelSession;
  readonly decode: ModelSession;
  /**
   * The resident decode graph (io.ts, `t2sResidentDecodeIo`), its pool outputs kept on the device. Absent: the host
   * pool is fed every step. On the CPU provider (tests) its pool outputs come back as host tensors and are fed back
   * the same way.
   */
  readonly decodeResident?: ModelSession | undefined;
  /** The pool-rebuild graph for the resident route (pool outputs on the device); absent: changes re-upload the pool. */
  readonly poolRebuild?: ModelSession | undefined;
  readonly dims: T2sDims;
  readonly precision: 'fp32' | 'fp16';
  readonly slots: number;
  /** Longest KV cache a sequence may need (prompt + text + 1500 generated tokens). */
  readonly maxCacheLength: number;
  readonly growStep?: number;
}

/** The pool a resident step fed or returned: per layer K and V, on the device (or host tensors on the CPU). */
interface PoolTensors {
  readonly keys: readonly (HostTensor | DeviceTensor)[];
  readonly values: readonly (HostTensor | DeviceTensor)[];
}

/** The resident route's device pool: `rows` rows at `capacity` columns. */
interface ResidentPool extends PoolTensors {
  readonly rows: number;
  readonly capacity: number;
  /** Device row of each slot whose cache it holds, kept up to date as slots are moved, released and refilled. */
  readonly rowOf: Map<number, number>;
}

/**
 * What the resident route did: steps run on it, steps that uploaded the whole host pool, and rebuilds (with the
 * number of rows they uploaded).
 */
export interface ResidentStats {
  steps: number;
  uploads: number;
  rebuilds: number;
  uploadedRows: number;
}

export class T2sRunner {
  readonly dims: T2sDims;
  readonly pool: KvPool;
  readonly residentStats: ResidentStats = { steps: 0, uploads: 0, rebuilds: 0, uploadedRows: 0 };
  readonly #prefill: ModelSession;
  readonly #decode: ModelSession;
  readonly #decodeResident: ModelSession | undefined;
  readonly #poolRebuild: ModelSession | undefined;
  #resident: ResidentPool | undefined;

  constructor(options: T2sRunnerOptions) {
    this.dims = options.dims;
    this.#prefill = options.prefill;
    this.#decode = options.decode;
    this.#decodeResident = options.decodeResident;
    this.#poolRebuild = options.poolRebuild;
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

  /** Whether decode steps run on the resident route. */
  get resident(): boolean {
    return this.#decodeResident !== undefined;
  }

  applyMoves(moves: readonly SlotMove[]): void {
    const rowOf = this.#resident?.rowOf;
    for (const move of moves) {
      this.pool.move(move.from, move.to);
      // The device row follows the cache it holds, as the host pool's slot does.
      const row = rowOf?.get(move.from);
      rowOf?.delete(move.from);
      if (row === undefined) rowOf?.delete(move.to);
      else rowOf?.set(move.to, row);
    }
  }

  release(slot: number): void {
    this.#resident?.rowOf.delete(slot);
    this.pool.release(slot);
  }

  /** Disposes the device pool (if any); the host pool is unchanged. */
  dispose(): void {
    this.#dropResident();
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
      // The slot is refilled on the host; whatever the device pool held for it is stale.
      this.#resident?.rowOf.delete(sequence.slot);
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
    if (this.#decodeResident !== undefined) return this.#decodeOnDevice(this.#decodeResident, sequences);
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

  async #decodeOnDevice(session: ModelSession, sequences: readonly T2sSequence[]): Promise<Float32Array[]> {
    const batch = sequences.length;
    const capacity = this.pool.capacity;
    const slots = sequences.map((sequence) => sequence.slot);
    let past: PoolTensors;
    try {
      past = await this.#residentPast(slots, capacity);
    } catch (error) {
      this.#dropResident();
      throw error;
    }
    // After an upload (host views) or a rebuild the old device pool is no longer needed; a reused one is disposed
    // once the step has fed it.
    if (past !== this.#resident) this.#dropResident();
    this.#resident = undefined;
    const feeds: Record<string, HostTensor | DeviceTensor> = {
      [T2S_DECODE.tokens]: int64(sequences.map((s) => s.generated.at(-1) ?? 0)),
      [T2S_DECODE.positions]: int64(sequences.map((s) => s.input.promptTokens.length + s.generated.length - 1)),
      [T2S_DECODE.pastLengths]: int64(sequences.map((s) => s.cacheLength)),
    };
    for (let layer = 0; layer < this.dims.layers; layer += 1) {
      feeds[pastKeyName(layer)] = past.keys[layer] as HostTensor | DeviceTensor;
      feeds[pastValueName(layer)] = past.values[layer] as HostTensor | DeviceTensor;
    }
    let out: Awaited<ReturnType<ModelSession['runDevice']>>;
    try {
      out = await session.runDevice(feeds);
    } finally {
      // The fed pool is replaced by the one the step returns (device buffers are not garbage-collected); after a
      // failure the host pool is intact and a retry uploads it again. Host views of the pool are left alone.
      disposeAll(past);
    }
    const pool = (name: (layer: number) => string): (HostTensor | DeviceTensor)[] =>
      Array.from({ length: this.dims.layers }, (_, layer) => {
        const value = out.device[name(layer)] ?? out.host[name(layer)];
        if (value === undefined) throw new Error(`T2S resident decode returned no ${name(layer)}`);
        return value;
      });
    this.#resident = { rows: batch, capacity, rowOf: new Map(slots.map((slot, row) => [slot, row])), keys: pool(presentKeyName), values: pool(presentValueName) };
    this.pool.append(this.#layerOutputs(out.host, newKeyName), this.#layerOutputs(out.host, newValueName), slots);
    for (const sequence of sequences) sequence.cacheLength += 1;
    this.residentStats.steps += 1;
    return rows(out.host[T2S_DECODE.logits], batch);
  }

  /**
   * The pool to feed for `slots` at `capacity`: the device pool as it is when it already matches, rebuilt on the
   * device when some of its rows can be reused, or else views of the host pool (an upload).
   */
  async #residentPast(slots: readonly number[], capacity: number): Promise<PoolTensors> {
    const current = this.#resident;
    if (current?.rows === slots.length && current.capacity === capacity && slots.every((slot, row) => current.rowOf.get(slot) === row)) return current;
    const sources: number[] = [];
    const fresh: number[] = [];
    for (const slot of slots) {
      const row = current?.rowOf.get(slot);
      sources.push(row ?? (current?.rows ?? 0) + fresh.length);
      if (row === undefined) fresh.push(slot);
    }
    if (current === undefined || this.#poolRebuild === undefined || fresh.length === slots.length) {
      this.residentStats.uploads += 1;
      return this.pool.views(slots.length, slots[0] ?? 0);
    }
    // Only the rows of sequences the device pool does not hold are uploaded, cut to their longest cache.
    const freshColumns = Math.max(1, ...fresh.map((slot) => this.pool.lengths[slot] ?? 0));
    const uploaded = this.pool.rows(fresh.length > 0 ? fresh : [slots[0] ?? 0], fresh.length > 0 ? freshColumns : 1);
    const pads = (columns: number): HostTensor => tensor('int64', [8], BigInt64Array.from([0, 0, 0, 0, 0, 0, Math.max(0, capacity - columns), 0], BigInt));
    const feeds: Record<string, HostTensor | DeviceTensor> = {
      [T2S_POOL_REBUILD.sourceRows]: int64(sources),
      [T2S_POOL_REBUILD.capacity]: int64([capacity]),
      [T2S_POOL_REBUILD.oldPads]: pads(current.capacity),
      [T2S_POOL_REBUILD.freshPads]: pads(fresh.length > 0 ? freshColumns : 1),
    };
    for (let layer = 0; layer < this.dims.layers; layer += 1) {
      feeds[oldPoolName(layer, 'key')] = current.keys[layer] as HostTensor | DeviceTensor;
      feeds[oldPoolName(layer, 'value')] = current.values[layer] as HostTensor | DeviceTensor;
      feeds[freshPoolName(layer, 'key')] = uploaded.keys[layer] as HostTensor;
      feeds[freshPoolName(layer, 'value')] = uploaded.values[layer] as HostTensor;
    }
    const out = await this.#poolRebuild.runDevice(feeds);
    const pick = (kind: 'key' | 'value'): (HostTensor | DeviceTensor)[] =>
      Array.from({ length: this.dims.layers }, (_, layer) => {
        const value = out.device[rebuiltPoolName(layer, kind)] ?? out.host[rebuiltPoolName(layer, kind)];
        if (value === undefined) throw new Error(`T2S pool rebuild returned no ${rebuiltPoolName(layer, kind)}`);
        return value;
      });
    this.residentStats.rebuilds += 1;
    this.residentStats.uploadedRows += fresh.length;
    return { keys: pick('key'), values: pick('value') };
  }

  #dropResident(): void {
    const pool = this.#resident;
    this.#resident = undefined;
    if (pool !== undefined) disposeAll(pool);
  }

  #layerOutputs(out: Record<string, HostTensor>, name: (layer: number) => string): HostTensor[] {
    return Array.from({ length: this.dims.layers }, (_, layer) => {
      const value = out[name(layer)];
      if (value === undefined) throw new Error(`T2S graph returned no ${name(layer)}`);
      return value;
    });
  }
}

function disposeAll(pool: PoolTensors): void {
  for (const tensor of [...pool.keys, ...pool.values]) if (tensor instanceof DeviceTensor) tensor.dispose();
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
