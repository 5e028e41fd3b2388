/**
 * The v3/v4 audio stage: what `TTS.using_vocoder_synthesis` does after T2S, for many segments at once and one Euler
 * step per engine step, so the CFM's many steps interleave with T2S decoding instead of blocking it.
 *
 * Per segment: `cfm-encp` gives its features; they are cut into chunks (chunking.ts); each chunk is the prompt (the
 * voice's, then the previous chunk's last frames) plus new frames: `cfm-text` embeds its condition once, then
 * `cfm-step` runs `steps` times from seeded noise; when the last chunk is done, the generated mel is denormalised
 * and the vocoder makes audio. Every phase batches the segments in it (length buckets, batch-plan.ts); rows of one
 * `cfm-step` call may be at different steps. A failed call is retried row by row, so only the segment that breaks
 * it fails.
 * @module
 */
import { denormSpec, type CfmVersion } from '../../models/cfm/config.ts';
import type { Feeds } from '../../runtime/session.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';
import { checkBatchLimits, planBatches, type BatchLimits } from '../vocoder/batch-plan.ts';
import { CFM_NOISE_TAG, fillDecoderNoise } from '../vocoder/noise.ts';
import { CFM_CHUNKING, checkChunking, chunkRanges, type CfmChunking } from './chunking.ts';
import type { CfmItem, CfmOutcome } from './cfm-item.ts';

/** The part of `ModelSession` the stage uses (tests wrap real sessions to inject faults). */
export interface GraphSession {
  readonly label: string;
  run(feeds: Feeds): Promise<Record<string, HostTensor>>;
}

export interface CfmSessions {
  readonly encp: GraphSession;
  readonly text: GraphSession;
  readonly step: GraphSession;
  readonly vocoder: GraphSession;
}

export interface CfmStageDims {
  readonly version: CfmVersion;
  readonly melDim: number;
  /** The condition width (bridge's output). */
  readonly feaDim: number;
  /** Vocoder samples per mel frame (480 for v4). */
  readonly hop: number;
}

/** 8 rows of 1000 frames: a full v4 chunk batch; attention memory grows with rows × frames². */
export const DEFAULT_CFM_LIMITS: BatchLimits = { maxItems: 8, maxFrames: 8000, maxLengthRatio: 1.5 };

interface Chunk {
  readonly index: number;
  /** Prompt columns P and total columns N = P + new frames. */
  readonly prompt: number;
  readonly length: number;
  /** `[mel, N]`: the CFM state. */
  readonly x: Float32Array;
  /** `[mel, N]`: prompt mel then zeros. */
  readonly cond: Float32Array;
  /** `[N, fea]`: prompt features then the chunk's, time-major (CFM.inference's `mu`). */
  readonly mu: Float32Array;
  textEmbed: Float32Array | undefined;
  step: number;
  /** GPT-SoVITS's Python float `t`, accumulated by adding `1 / steps` (not `step / steps`: the roundings differ). */
  t: number;
}

interface Segment {
  readonly item: CfmItem;
  phase: 'encp' | 'text' | 'steps' | 'vocode';
  fea: Float32Array;
  frames: number;
  ranges: readonly { readonly start: number; readonly end: number }[];
  nextChunk: number;
  /** GPT-SoVITS's T_min: the prompt's frames after the cut to T_ref; every later prompt is at most this long. */
  readonly promptLimit: number;
  promptMel: Float32Array;
  promptFea: Float32Array;
  promptFrames: number;
  readonly generated: Float32Array[];
  chunk: Chunk | undefined;
}

/** The starting noise of chunk `chunk` of a segment: `[mel, length]` standard normal values (the stage copies them). */
export type CfmNoise = (item: CfmItem, chunk: number, melDim: number, length: number) => Float32Array;

/** Seeded Philox noise (noise.ts): a pure function of (seed, segment, chunk, channel, frame). */
export const seededCfmNoise: CfmNoise = (item, chunk, melDim, length) => {
  const x = new Float32Array(melDim * length);
  fillDecoderNoise(x, 0, melDim, length, { seed: item.seed, segment: item.segmentIndex, firstFrame: 0, frames: length, scale: 1, stream: { tag: CFM_NOISE_TAG, index: chunk } });
  return x;
};

/**
 * Paces the vocode phase (the engine's vocoder/pacer.ts), so that vocoding finished segments never stalls the others'
 * Euler steps or T2S decoding for long.
 */
export interface VocodePacing {
  /**
   * How many of the segments ready for the vocoder to vocode this turn, oldest first; `frames` are theirs, oldest
   * first, and `busy` says whether other segments are still in the earlier phases.
   */
  take(frames: readonly number[], busy: boolean): number;
  /** The vocode phase took `ms` over `frames` frames (called only when it ran). */
  spent(ms: number, frames: number): void;
}

export interface CfmStageOptions {
  readonly limits?: Partial<BatchLimits>;
  /** Default: GPT-SoVITS's T_ref / T_chunk for the version. */
  readonly chunking?: CfmChunking;
  /** Default: {@link seededCfmNoise}. */
  readonly noise?: CfmNoise;
}

export class CfmStage {
  readonly dims: CfmStageDims;
  readonly limits: BatchLimits;
  readonly chunking: CfmChunking;
  readonly #sessions: CfmSessions;
  readonly #noise: CfmNoise;
  readonly #segments: Segment[] = [];
  #stepping = false;

  constructor(sessions: CfmSessions, dims: CfmStageDims, options: CfmStageOptions = {}) {
    this.#sessions = sessions;
    this.dims = dims;
    this.limits = { ...DEFAULT_CFM_LIMITS, ...options.limits };
    checkBatchLimits(this.limits);
    this.chunking = options.chunking ?? CFM_CHUNKING[dims.version];
    checkChunking(this.chunking);
    this.#noise = options.noise ?? seededCfmNoise;
  }

  /** Segments somewhere in the stage. */
  get pending(): number {
    return this.#segments.length;
  }

  enqueue(item: CfmItem): void {
    const { melDim, feaDim } = this.dims;
    const { prompt } = item;
    if (!Number.isInteger(prompt.frames) || prompt.frames <= 0) throw new RangeError('the voice has no CFM prompt');
    if (prompt.mel.length !== melDim * prompt.frames || prompt.fea.length !== feaDim * prompt.frames) {
      throw new RangeError(`a ${String(prompt.frames)}-frame CFM prompt needs ${String(melDim * prompt.frames)} mel and ${String(feaDim * prompt.frames)} feature values, got ${String(prompt.mel.length)} and ${String(prompt.fea.length)}`);
    }
    if (!Number.isInteger(item.steps) || item.steps < 1) throw new RangeError(`steps must be a positive integer, got ${String(item.steps)}`);
    if (!(item.speed > 0) || !Number.isFinite(item.speed)) throw new RangeError(`speed must be a positive number, got ${String(item.speed)}`);
    // A longer prompt is cut to its last T_ref frames, as using_vocoder_synthesis does; chunk sizes follow from the cut.
    const frames = Math.min(prompt.frames, this.chunking.promptFrames);
    const cut = frames < prompt.frames;
    this.#segments.push({
      item,
      phase: 'encp',
      fea: new Float32Array(0),
      frames: 0,
      ranges: [],
      nextChunk: 0,
      promptLimit: frames,
      promptMel: cut ? rowColumns(prompt.mel, 0, melDim, prompt.frames, prompt.frames - frames, frames) : prompt.mel,
      promptFea: cut ? rowColumns(prompt.fea, 0, feaDim, prompt.frames, prompt.frames - frames, frames) : prompt.fea,
      promptFrames: frames,
      generated: [],
      chunk: undefined,
    });
  }

  /** Drops every segment of a request. */
  cancel(requestId: string): void {
    for (let i = this.#segments.length - 1; i >= 0; i -= 1) if (this.#segments[i]?.item.requestId === requestId) this.#segments.splice(i, 1);
  }

  /**
   * One turn: new segments through `cfm-encp`, new chunks through `cfm-text`, one Euler step, finished segments
   * vocoded (all of them, or the oldest ones `pacing` chooses). Turns must not overlap (a row could be stepped twice).
   */
  async step(pacing?: VocodePacing): Promise<CfmOutcome[]> {
    if (this.#stepping) throw new Error('CfmStage.step() is already running');
    this.#stepping = true;
    try {
      const outcomes: CfmOutcome[] = [];
      await this.#phase('encp', 'cfm-encp', (batch, fail) => this.#encode(batch, fail), outcomes);
      await this.#phase('text', 'cfm-text', (batch) => this.#embed(batch), outcomes);
      await this.#phase('steps', 'cfm-step', (batch, fail) => this.#euler(batch, fail), outcomes);
      const ready = this.#segments.filter((segment) => segment.phase === 'vocode');
      const busy = ready.length < this.#segments.length;
      const count = pacing === undefined || ready.length === 0 ? ready.length : pacing.take(ready.map((segment) => segment.frames), busy);
      if (count > 0) {
        const started = performance.now();
        const chosen = new Set(ready.slice(0, count));
        await this.#phase('vocode', 'vocoder', (batch) => this.#vocode(batch, outcomes), outcomes, (segment) => chosen.has(segment));
        pacing?.spent(performance.now() - started, [...chosen].reduce((sum, segment) => sum + segment.frames, 0));
      }
      return outcomes;
    } finally {
      this.#stepping = false;
    }
  }

  /**
   * Runs `run` over the segments in `phase` (those `chosen` picks), in length buckets. `run` either throws before it
   * changes any segment (the bucket is then retried segment by segment, so a row is never advanced twice) or reports
   * a row's own later failure through `fail`. Segments cancelled meanwhile are skipped and get no outcome.
   */
  async #phase(
    phase: Segment['phase'],
    stage: string,
    run: (batch: Segment[], fail: (segment: Segment, error: unknown) => void) => Promise<void>,
    outcomes: CfmOutcome[],
    chosen: (segment: Segment) => boolean = () => true,
  ): Promise<void> {
    const segments = this.#segments.filter((segment) => segment.phase === phase && chosen(segment));
    if (segments.length === 0) return;
    const fail = (segment: Segment, error: unknown): void => { this.#fail(segment, stage, error, outcomes); };
    const lengths = segments.map((segment) => (phase === 'encp' ? segment.item.tokens.length : phase === 'vocode' ? segment.frames : (segment.chunk?.length ?? 0)));
    for (const group of planBatches(lengths, this.limits)) {
      const batch = group.map((index) => segments[index] as Segment).filter((segment) => this.#segments.includes(segment));
      if (batch.length === 0) continue;
      try {
        await run(batch, fail);
      } catch (error) {
        if (batch.length === 1) {
          fail(batch[0] as Segment, error);
          continue;
        }
        for (const segment of batch) {
          if (!this.#segments.includes(segment)) continue;
          try {
            await run([segment], fail);
          } catch (alone) {
            fail(segment, alone);
          }
        }
      }
    }
  }

  #fail(segment: Segment, stage: string, error: unknown, outcomes: CfmOutcome[]): void {
    const index = this.#segments.indexOf(segment);
    if (index < 0) return;
    this.#segments.splice(index, 1);
    const { requestId, segmentIndex } = segment.item;
    outcomes.push({ requestId, segmentIndex, status: 'failed', stage, error: error instanceof Error ? error : new Error(String(error)) });
  }

  async #encode(batch: Segment[], fail: (segment: Segment, error: unknown) => void): Promise<void> {
    // What T2S produced, not a caller's mistake: the segment fails (alone, after the retry), the request decides.
    for (const { item } of batch) if (item.tokens.length === 0 || item.phoneIds.length === 0) throw new Error(`segment ${String(item.segmentIndex)} has no semantic tokens or no phones`);
    const tokens = Math.max(...batch.map((s) => s.item.tokens.length));
    const phones = Math.max(...batch.map((s) => s.item.phoneIds.length));
    const gin = batch[0]?.item.ge.length ?? 0;
    const codes = new BigInt64Array(batch.length * tokens);
    const phoneIds = new BigInt64Array(batch.length * phones);
    const ge = new Float32Array(batch.length * gin);
    batch.forEach(({ item }, row) => {
      item.tokens.forEach((token, i) => { codes[row * tokens + i] = BigInt(token); });
      item.phoneIds.forEach((phone, i) => { phoneIds[row * phones + i] = BigInt(phone); });
      ge.set(item.ge, row * gin);
    });
    const out = await this.#sessions.encp.run({
      codes: tensor('int64', [batch.length, tokens], codes),
      code_lengths: tensor('int64', [batch.length], BigInt64Array.from(batch, (s) => BigInt(s.item.tokens.length))),
      phones: tensor('int64', [batch.length, phones], phoneIds),
      phone_lengths: tensor('int64', [batch.length], BigInt64Array.from(batch, (s) => BigInt(s.item.phoneIds.length))),
      ge: tensor('float32', [batch.length, gin, 1], ge),
      speed: tensor('float64', [batch.length], Float64Array.from(batch, (s) => s.item.speed)),
    });
    const fea = float32(out, 'fea', this.#sessions.encp.label);
    const lengths = int64(out, 'fea_lengths', this.#sessions.encp.label);
    const [, channels = 0, width = 0] = fea.shape;
    if (channels !== this.dims.feaDim) throw new Error(`${this.#sessions.encp.label} gave ${String(channels)} feature channels, expected ${String(this.dims.feaDim)}`);
    const { chunking } = this;
    const results = batch.map((segment, row) => {
      const frames = Number(lengths[row] ?? 0n);
      if (frames <= 0 || frames > width) throw new Error(`${this.#sessions.encp.label} gave ${String(frames)} frames (of ${String(width)}) for segment ${String(segment.item.segmentIndex)}`);
      return { frames, fea: rowColumns(fea.data as Float32Array, row, channels, width, 0, frames), ranges: chunkRanges(frames, segment.promptLimit, chunking) };
    });
    batch.forEach((segment, row) => {
      const result = results[row];
      if (result === undefined) return;
      segment.fea = result.fea;
      segment.frames = result.frames;
      segment.ranges = result.ranges;
      try {
        this.#startChunk(segment);
      } catch (error) {
        fail(segment, error);
      }
    });
  }

  /** Sets up the segment's next chunk: condition, prompt mel and seeded starting noise. */
  #startChunk(segment: Segment): void {
    const { melDim, feaDim } = this.dims;
    const index = segment.nextChunk;
    const range = segment.ranges[index];
    if (range === undefined) throw new Error(`segment ${String(segment.item.segmentIndex)} has no chunk ${String(index)}`);
    const prompt = segment.promptFrames;
    const length = prompt + range.end - range.start;
    const mu = new Float32Array(length * feaDim);
    for (let t = 0; t < length; t += 1) {
      for (let c = 0; c < feaDim; c += 1) {
        mu[t * feaDim + c] = t < prompt ? (segment.promptFea[c * prompt + t] ?? 0) : (segment.fea[c * segment.frames + range.start + t - prompt] ?? 0);
      }
    }
    const cond = new Float32Array(melDim * length);
    for (let c = 0; c < melDim; c += 1) cond.set(segment.promptMel.subarray(c * prompt, (c + 1) * prompt), c * length);
    const noise = this.#noise(segment.item, index, melDim, length);
    if (noise.length !== melDim * length) throw new Error(`the CFM noise for chunk ${String(index)} has ${String(noise.length)} values, expected ${String(melDim * length)}`);
    // A copy: the state is stepped in place, and a noise source may hand the same array to several chunks.
    const x = Float32Array.from(noise);
    for (let c = 0; c < melDim; c += 1) x.fill(0, c * length, c * length + prompt);
    segment.chunk = { index, prompt, length, x, cond, mu, textEmbed: undefined, step: 0, t: 0 };
    segment.phase = 'text';
  }

  async #embed(batch: Segment[]): Promise<void> {
    const { feaDim } = this.dims;
    const chunks = batch.map((segment) => segment.chunk as Chunk);
    const width = Math.max(...chunks.map((chunk) => chunk.length));
    const mu = new Float32Array(batch.length * width * feaDim);
    chunks.forEach((chunk, row) => { mu.set(chunk.mu, row * width * feaDim); });
    const out = await this.#sessions.text.run({
      mu: tensor('float32', [batch.length, width, feaDim], mu),
      lengths: tensor('int64', [batch.length], BigInt64Array.from(chunks, (chunk) => BigInt(chunk.length))),
    });
    const embedded = float32(out, 'text_embed', this.#sessions.text.label).data as Float32Array;
    batch.forEach((segment, row) => {
      const chunk = segment.chunk as Chunk;
      chunk.textEmbed = embedded.slice(row * width * feaDim, row * width * feaDim + chunk.length * feaDim);
      segment.phase = 'steps';
    });
  }

  async #euler(batch: Segment[], fail: (segment: Segment, error: unknown) => void): Promise<void> {
    const { melDim, feaDim } = this.dims;
    const chunks = batch.map((segment) => segment.chunk as Chunk);
    const width = Math.max(...chunks.map((chunk) => chunk.length));
    const x = new Float32Array(batch.length * melDim * width);
    const cond = new Float32Array(batch.length * melDim * width);
    const text = new Float32Array(batch.length * width * feaDim);
    chunks.forEach((chunk, row) => {
      for (let c = 0; c < melDim; c += 1) {
        x.set(chunk.x.subarray(c * chunk.length, (c + 1) * chunk.length), (row * melDim + c) * width);
        cond.set(chunk.cond.subarray(c * chunk.length, (c + 1) * chunk.length), (row * melDim + c) * width);
      }
      text.set(chunk.textEmbed ?? new Float32Array(0), row * width * feaDim);
    });
    const out = await this.#sessions.step.run({
      x: tensor('float32', [batch.length, melDim, width], x),
      cond: tensor('float32', [batch.length, melDim, width], cond),
      text_embed: tensor('float32', [batch.length, width, feaDim], text),
      x_lens: tensor('int64', [batch.length], BigInt64Array.from(chunks, (chunk) => BigInt(chunk.length))),
      prompt_lens: tensor('int64', [batch.length], BigInt64Array.from(chunks, (chunk) => BigInt(chunk.prompt))),
      t: tensor('float32', [batch.length], Float32Array.from(chunks, (chunk) => chunk.t)),
      d: tensor('float32', [batch.length], Float32Array.from(batch, (segment) => 1 / segment.item.steps)),
    });
    const next = float32(out, 'x_next', this.#sessions.step.label).data as Float32Array;
    // Every row is checked before any is committed: a retry row by row must not step a row twice.
    const states = chunks.map((chunk, row) => {
      const state = new Float32Array(melDim * chunk.length);
      for (let c = 0; c < melDim; c += 1) state.set(next.subarray((row * melDim + c) * width, (row * melDim + c) * width + chunk.length), c * chunk.length);
      if (!allFinite(state)) throw new Error(`the CFM state of segment ${String(batch[row]?.item.segmentIndex)} is not finite at step ${String(chunk.step + 1)}`);
      return state;
    });
    batch.forEach((segment, row) => {
      const chunk = segment.chunk as Chunk;
      chunk.x.set(states[row] ?? new Float32Array(0));
      chunk.step += 1;
      chunk.t += 1 / segment.item.steps;
      if (chunk.step < segment.item.steps) return;
      // After the commit a failure (the next chunk's noise) is this row's alone: rethrowing would retry, and so
      // step again, the rows already committed.
      try {
        this.#finishChunk(segment, chunk);
      } catch (error) {
        fail(segment, error);
      }
    });
  }

  /** Keeps the chunk's generated frames and hands the next chunk its prompt, as `using_vocoder_synthesis` does. */
  #finishChunk(segment: Segment, chunk: Chunk): void {
    const { melDim, feaDim } = this.dims;
    const made = chunk.length - chunk.prompt;
    const generated = new Float32Array(melDim * made);
    for (let c = 0; c < melDim; c += 1) generated.set(chunk.x.subarray(c * chunk.length + chunk.prompt, (c + 1) * chunk.length), c * made);
    segment.generated.push(generated);
    const range = segment.ranges[chunk.index];
    const carried = Math.min(segment.promptLimit, made);
    segment.promptMel = rowColumns(generated, 0, melDim, made, made - carried, carried);
    const promptFea = new Float32Array(feaDim * carried);
    const end = range?.end ?? 0;
    for (let c = 0; c < feaDim; c += 1) promptFea.set(segment.fea.subarray(c * segment.frames + end - carried, c * segment.frames + end), c * carried);
    segment.promptFea = promptFea;
    segment.promptFrames = carried;
    segment.chunk = undefined;
    segment.nextChunk += 1;
    if (segment.nextChunk < segment.ranges.length) this.#startChunk(segment);
    else segment.phase = 'vocode';
  }

  async #vocode(batch: Segment[], outcomes: CfmOutcome[]): Promise<void> {
    const { melDim, hop } = this.dims;
    const width = Math.max(...batch.map((segment) => segment.frames));
    const mel = new Float32Array(batch.length * melDim * width);
    batch.forEach((segment, row) => {
      let column = 0;
      for (const part of segment.generated) {
        const frames = part.length / melDim;
        for (let c = 0; c < melDim; c += 1) {
          const at = (row * melDim + c) * width + column;
          for (let j = 0; j < frames; j += 1) mel[at + j] = denormSpec(part[c * frames + j] ?? 0);
        }
        column += frames;
      }
    });
    const out = await this.#sessions.vocoder.run({
      mel: tensor('float32', [batch.length, melDim, width], mel),
      mel_lengths: tensor('int64', [batch.length], BigInt64Array.from(batch, (segment) => BigInt(segment.frames))),
    });
    const audioTensor = float32(out, 'audio', this.#sessions.vocoder.label);
    const audio = audioTensor.data as Float32Array;
    const [rows = 0, samples = 0] = audioTensor.shape;
    if (rows !== batch.length || samples < width * hop) throw new Error(`${this.#sessions.vocoder.label} gave audio of shape [${audioTensor.shape.join(', ')}] for ${String(batch.length)} × ${String(width)} frames`);
    // All rows are checked before any is handed on, so a retry row by row never delivers a segment twice.
    const clips = batch.map((segment, row) => {
      const own = audio.slice(row * samples, row * samples + segment.frames * hop);
      if (!allFinite(own)) throw new Error(`the vocoder gave non-finite audio for segment ${String(segment.item.segmentIndex)}`);
      return own;
    });
    batch.forEach((segment, row) => {
      const index = this.#segments.indexOf(segment);
      // Cancelled while the vocoder ran: no outcome.
      if (index < 0) return;
      this.#segments.splice(index, 1);
      outcomes.push({ requestId: segment.item.requestId, segmentIndex: segment.item.segmentIndex, status: 'done', audio: clips[row] ?? new Float32Array(0) });
    });
  }
}

function float32(out: Record<string, HostTensor>, name: string, label: string): HostTensor {
  const value = out[name];
  if (value?.dtype !== 'float32') throw new Error(`${label} returned no float32 ${name}`);
  return value;
}

function int64(out: Record<string, HostTensor>, name: string, label: string): BigInt64Array {
  const value = out[name];
  if (value?.dtype !== 'int64') throw new Error(`${label} returned no int64 ${name}`);
  return value.data as BigInt64Array;
}

/** Columns `[start, start + count)` of row `row` of a `[B, channels, width]` array, as `[channels, count]`. */
function rowColumns(data: Float32Array, row: number, channels: number, width: number, start: number, count: number): Float32Array {
  const out = new Float32Array(channels * count);
  for (let c = 0; c < channels; c += 1) {
    const at = (row * channels + c) * width + start;
    out.set(data.subarray(at, at + count), c * count);
  }
  return out;
}

function allFinite(values: Float32Array): boolean {
  for (const value of values) if (!Number.isFinite(value)) return false;
  return true;
}
