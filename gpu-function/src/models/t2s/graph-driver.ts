/**
 * Runs the T2S graphs the way the engine will, for tests and measurements: batched prefill of some requests into
 * KV-pool slots, then decode steps over every slot at once, each slot with its own cache length and position.
 * The pool is one `[slots, H, capacity, d]` tensor per layer for K and for V, fed as the decode graph's past; the
 * graph's new K/V column per row is written back into it after each step.
 * @module
 */
import { encodeModel, type WeightSource } from '../../onnx/index.ts';
import { DEFAULT_RUNTIME_CONFIG, ModelSession, type RuntimeConfig } from '../../runtime/index.ts';
import { tensor, type HostTensor } from '../../tensor/index.ts';
import { headDim, type T2sDims, type T2sPrecision } from './config.ts';
import { buildT2sDecode } from './decode-graph.ts';
import { T2S_DECODE, T2S_PREFILL, newKeyName, newValueName, pastKeyName, pastValueName, presentKeyName, presentValueName, t2sKvDtype } from './io.ts';
import { copyPrefillKv, writeDecodeKv } from './kv-copy.ts';
import { buildT2sPrefill } from './prefill-graph.ts';

export interface T2sRequest {
  readonly phones: readonly number[];
  /** `[X, bertDim]`, phone-major. */
  readonly bert: Float32Array;
  readonly prompt: readonly number[];
}

const i64 = (values: readonly number[], shape: readonly number[]): HostTensor => tensor('int64', shape, BigInt64Array.from(values.map(BigInt)));

function logitRows(logits: HostTensor | undefined, rows: number): Float32Array[] {
  if (logits?.dtype !== 'float32') throw new Error('T2S graph returned no float32 logits');
  const data = logits.data as Float32Array;
  const width = data.length / rows;
  return Array.from({ length: rows }, (_, b) => data.slice(b * width, (b + 1) * width));
}

export class T2sGraphDriver {
  readonly dims: T2sDims;
  readonly prefillSession: ModelSession;
  readonly decodeSession: ModelSession;
  readonly keys: HostTensor[];
  readonly values: HostTensor[];
  /** Entries in each slot's cache (`past_lengths`). */
  readonly lengths: Int32Array;
  /** Audio position of each slot's next token. */
  readonly positions: Int32Array;

  private constructor(dims: T2sDims, prefill: ModelSession, decode: ModelSession, precision: T2sPrecision, slots: number, capacity: number) {
    this.dims = dims;
    this.prefillSession = prefill;
    this.decodeSession = decode;
    const shape = [slots, dims.heads, capacity, headDim(dims)];
    const size = shape.reduce((a, b) => a * b, 1);
    const make = (): HostTensor => (t2sKvDtype(precision) === 'float16' ? tensor('float16', shape, new Uint16Array(size)) : tensor('float32', shape, new Float32Array(size)));
    this.keys = Array.from({ length: dims.layers }, make);
    this.values = Array.from({ length: dims.layers }, make);
    this.lengths = new Int32Array(slots);
    this.positions = new Int32Array(slots);
  }

  static async load(weights: WeightSource, dims: T2sDims, options: { precision?: T2sPrecision; slots: number; capacity: number; runtime?: RuntimeConfig }): Promise<T2sGraphDriver> {
    const precision = options.precision ?? 'fp32';
    const runtime = options.runtime ?? DEFAULT_RUNTIME_CONFIG;
    const prefill = await ModelSession.load(await encodeModel(buildT2sPrefill(weights, dims, precision)), runtime, 't2s-prefill');
    const decode = await ModelSession.load(await encodeModel(buildT2sDecode(weights, dims, precision)), runtime, 't2s-decode');
    return new T2sGraphDriver(dims, prefill, decode, precision, options.slots, options.capacity);
  }

  /** One batched prefill; request r's K/V land in `slots[r]`. Returns each request's logits. */
  async prefill(requests: readonly T2sRequest[], slots: readonly number[]): Promise<Float32Array[]> {
    const batch = requests.length;
    const textSlots = Math.max(...requests.map((r) => r.phones.length));
    const promptSlots = Math.max(...requests.map((r) => r.prompt.length));
    const bertDim = this.dims.bertDim;
    const phones = new Array<number>(batch * textSlots).fill(0);
    const prompt = new Array<number>(batch * promptSlots).fill(0);
    const bert = new Float32Array(batch * textSlots * bertDim);
    requests.forEach((r, b) => {
      r.phones.forEach((id, i) => (phones[b * textSlots + i] = id));
      r.prompt.forEach((id, j) => (prompt[b * promptSlots + j] = id));
      bert.set(r.bert, b * textSlots * bertDim);
    });
    const out = await this.prefillSession.run({
      [T2S_PREFILL.phoneIds]: i64(phones, [batch, textSlots]),
      [T2S_PREFILL.bert]: tensor('float32', [batch, textSlots, bertDim], bert),
      [T2S_PREFILL.promptTokens]: i64(prompt, [batch, promptSlots]),
      [T2S_PREFILL.textLengths]: i64(requests.map((r) => r.phones.length), [batch]),
      [T2S_PREFILL.promptLengths]: i64(requests.map((r) => r.prompt.length), [batch]),
    });
    requests.forEach((r, b) => {
      const slot = slots[b] ?? -1;
      const source = { row: b, textLength: r.phones.length, promptLength: r.prompt.length };
      for (let i = 0; i < this.dims.layers; i += 1) {
        const key = out[presentKeyName(i)];
        const value = out[presentValueName(i)];
        if (key === undefined || value === undefined) throw new Error(`prefill returned no K/V for layer ${i}`);
        copyPrefillKv(key, textSlots, source, this.keys[i] as HostTensor, slot);
        this.lengths[slot] = copyPrefillKv(value, textSlots, source, this.values[i] as HostTensor, slot);
      }
      this.positions[slot] = r.prompt.length;
    });
    return logitRows(out[T2S_PREFILL.logits], batch);
  }

  /**
   * One decode step over every slot. `tokens[slot]` is the slot's last sampled token, or `null` for an idle slot
   * (it still runs, on token 0, and its length does not advance). Returns every slot's logits.
   */
  async decode(tokens: readonly (number | null)[]): Promise<Float32Array[]> {
    const slots = this.lengths.length;
    const feeds: Record<string, HostTensor> = {
      [T2S_DECODE.tokens]: i64(tokens.map((t) => t ?? 0), [slots]),
      [T2S_DECODE.positions]: i64(Array.from(this.positions), [slots]),
      [T2S_DECODE.pastLengths]: i64(Array.from(this.lengths), [slots]),
    };
    for (let i = 0; i < this.dims.layers; i += 1) {
      feeds[pastKeyName(i)] = this.keys[i] as HostTensor;
      feeds[pastValueName(i)] = this.values[i] as HostTensor;
    }
    const out = await this.decodeSession.run(feeds);
    tokens.forEach((token, slot) => {
      if (token === null) return;
      const column = this.lengths[slot] ?? 0;
      for (let i = 0; i < this.dims.layers; i += 1) {
        const newKey = out[newKeyName(i)];
        const newValue = out[newValueName(i)];
        if (newKey === undefined || newValue === undefined) throw new Error(`decode returned no K/V for layer ${i}`);
        writeDecodeKv(newKey, slot, this.keys[i] as HostTensor, slot, column);
        writeDecodeKv(newValue, slot, this.values[i] as HostTensor, slot, column);
      }
      this.lengths[slot] = column + 1;
      this.positions[slot] = (this.positions[slot] ?? 0) + 1;
    });
    return logitRows(out[T2S_DECODE.logits], slots);
  }

  async release(): Promise<void> {
    await this.prefillSession.release();
    await this.decodeSession.release();
  }
}
