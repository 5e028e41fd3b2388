/**
 * The T2S half of the engine's per-bundle step (ModelWorker.step) with the engine's own classes: Scheduler picks
 * the work, T2sRunner prefills newly admitted sequences and decodes the running batch, advanceSequence samples every
 * row under GPT-SoVITS's EOS rules, and a finished sequence frees its KV slot. The vocoder is left out on purpose: on
 * a CPU the full-size vocoder costs seconds per second of audio and would hide the decode figures.
 *
 * Every decode step is timed from schedule() to the last row sampled, with the milliseconds spent inside
 * onnxruntime (ModelSession.stats of the decode graph) alongside, so host-side overhead can be read off, and the
 * decode graph's input and output bytes (what the CUDA provider copies across PCIe) and the bytes that actually
 * crossed under the session's provider. On the resident route (webgpu) the figures are the resident decode graph's
 * plus the pool-rebuild graph's (which uploads the rows of sequences that join).
 * @module
 */
import { T2sRunner } from '../../src/engine/runner/t2s-runner.ts';
import { advanceSequence, Scheduler, type SchedulerLimits, type T2sSequence } from '../../src/engine/scheduler/index.ts';
import type { SessionStats } from '../../src/runtime/session.ts';
import type { T2sGraphs } from './t2s-sessions.ts';

export interface DecodeStepTiming {
  /** Sequences in the decode batch. */
  readonly rows: number;
  /** Tokens the step produced (a row that stops produces none). */
  readonly tokens: number;
  /** The whole step: schedule, feeds, the graph run, K/V appends, sampling every row. */
  readonly wallMs: number;
  /** Of which inside onnxruntime's run() call. */
  readonly ortMs: number;
  /** The decode graph's input + output bytes: what a provider that copies them all (CUDA) moves for the step. */
  readonly ioBytes: number;
  /** Bytes that crossed the host↔device boundary under the session's provider (0 on CPU). */
  readonly crossedBytes: number;
}

export interface PrefillTiming {
  readonly sequences: number;
  readonly wallMs: number;
}

export class T2sLoop {
  readonly scheduler: Scheduler;
  readonly runner: T2sRunner;
  readonly decodeSteps: DecodeStepTiming[] = [];
  readonly prefills: PrefillTiming[] = [];
  readonly #graphs: T2sGraphs;

  constructor(graphs: T2sGraphs, limits: SchedulerLimits) {
    this.#graphs = graphs;
    this.scheduler = new Scheduler(limits);
    this.runner = new T2sRunner({
      prefill: graphs.prefill,
      decode: graphs.decode,
      decodeResident: graphs.decodeResident,
      poolRebuild: graphs.poolRebuild,
      dims: graphs.dims,
      precision: graphs.precision,
      slots: limits.maxRunning,
      maxCacheLength: limits.maxCacheLength,
    });
  }

  /** Steps until every sequence has finished, yielding to the event loop between steps as the engine does. */
  async runUntilIdle(): Promise<void> {
    while (this.scheduler.hasWork) {
      await this.step();
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /** One engine step for T2S: admit and prefill, then decode the running batch. */
  async step(): Promise<void> {
    const started = performance.now();
    const plan = this.scheduler.schedule();
    this.runner.applyMoves(plan.moves);
    if (plan.prefill.length > 0) {
      const logits = await this.runner.prefill(plan.prefill);
      plan.prefill.forEach((sequence, i) => {
        const row = logits[i];
        if (row !== undefined) this.advance(sequence, row);
      });
      this.prefills.push({ sequences: plan.prefill.length, wallMs: performance.now() - started });
    }
    const decoding = plan.decode.filter((sequence) => sequence.status === 'running');
    if (decoding.length === 0) return;
    const decodeStarted = performance.now();
    const stats = (): SessionStats => decodeStats(this.#graphs);
    const before = stats();
    const logits = await this.runner.decode(decoding);
    let tokens = 0;
    decoding.forEach((sequence, i) => {
      const row = logits[i];
      if (row !== undefined && this.advance(sequence, row)) tokens += 1;
    });
    const after = stats();
    const ortMs = after.milliseconds - before.milliseconds;
    const ioBytes = after.ioBytes - before.ioBytes;
    const crossedBytes = after.hostToDeviceBytes + after.deviceToHostBytes - before.hostToDeviceBytes - before.deviceToHostBytes;
    // A step that also prefilled charges its schedule() to the prefill; otherwise the step starts at schedule().
    const wallMs = performance.now() - (plan.prefill.length > 0 ? decodeStarted : started);
    this.decodeSteps.push({ rows: decoding.length, tokens, wallMs, ortMs, ioBytes, crossedBytes });
  }

  /** Samples one row; returns whether the sequence produced a token (false when it stopped). */
  advance(sequence: T2sSequence, logits: Float32Array): boolean {
    if (sequence.status !== 'running') return false;
    const result = advanceSequence(sequence, logits, this.#graphs.dims.eos);
    if (!result.finished) return true;
    const slot = sequence.slot;
    this.scheduler.retire(sequence, 'finished');
    this.runner.release(slot);
    return false;
  }
}

/** The decode route's cumulative stats: the decode graph's, or on the resident route the resident and rebuild graphs'. */
function decodeStats(graphs: T2sGraphs): SessionStats {
  const sessions = graphs.decodeResident === undefined ? [graphs.decode] : [graphs.decodeResident, ...(graphs.poolRebuild === undefined ? [] : [graphs.poolRebuild])];
  const sum: SessionStats = { runs: 0, milliseconds: 0, hostToDeviceBytes: 0, deviceToHostBytes: 0, ioBytes: 0 };
  for (const { stats } of sessions) {
    sum.runs += stats.runs;
    sum.milliseconds += stats.milliseconds;
    sum.hostToDeviceBytes += stats.hostToDeviceBytes;
    sum.deviceToHostBytes += stats.deviceToHostBytes;
    sum.ioBytes += stats.ioBytes;
  }
  return sum;
}
