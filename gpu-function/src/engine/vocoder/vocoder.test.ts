import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readT2sCheckpoint } from '../../checkpoint/index.ts';
import { buildBundle } from '../../models/bundle/build.ts';
import { sovitsFrameCount } from '../../models/sovits/io.ts';
import { maxAbsDiff, snrDb } from '../../models/sovits/testing/compare.ts';
import { computeQuietTokens, type QuietTokens } from '../../models/t2s/quiet-tokens.ts';
import type { Feeds } from '../../runtime/session.ts';
import { writeSyntheticModelSet } from '../../synthetic/index.ts';
import { loadBundle, type LoadedBundle } from '../bundle/loaded-bundle.ts';
import type { AudioPiece } from '../output/ordered-emitter.ts';
import type { BatchLimits } from './batch-plan.ts';
import type { VocoderItem, VocoderResult } from './item.ts';
import { VocoderRunner, type DecoderSession, type VocoderBatchStats } from './runner.ts';
import { StreamingSegmentDecoder } from './streaming-decoder.ts';
import type { StreamSegment } from './token-stream.ts';

// Writing, compiling and loading the tiny bundle takes a second or two; graph runs are milliseconds.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

let root: string;
let bundle: LoadedBundle;
let quiet: QuietTokens;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-vocoder-'));
  const models = await writeSyntheticModelSet(join(root, 'src'), { size: 'tiny', bert: false, hubert: false, seed: 5 });
  await buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits }, out: join(root, 'bundle'), precisions: ['fp32'] });
  bundle = await loadBundle(join(root, 'bundle'), { runtime: { executionProvider: 'cpu', intraOpThreads: 1, graphOptimization: 'all', deviceId: 0 } });
  const checkpoint = await readT2sCheckpoint(models.gpt);
  quiet = await computeQuietTokens(checkpoint.weights);
  await checkpoint.weights.close();
});

afterAll(async () => {
  await bundle.release();
  await rm(root, { recursive: true, force: true });
});

/** A seeded LCG, so the test inputs are the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

function item(spec: { tokens: number; phones?: number; speed?: number; seed?: number; segmentIndex?: number; noiseScale?: number; requestId?: string; inputs?: number }): VocoderItem {
  const random = lcg(spec.inputs ?? spec.tokens);
  return {
    requestId: spec.requestId ?? 'req',
    segmentIndex: spec.segmentIndex ?? 0,
    tokens: Int32Array.from({ length: spec.tokens }, () => Math.floor(random() * 1024)),
    phoneIds: Int32Array.from({ length: spec.phones ?? 8 }, () => Math.floor(random() * 732)),
    ge: Float32Array.from({ length: 64 }, () => random() * 2 - 1),
    speed: spec.speed ?? 1,
    seed: spec.seed ?? 1234,
    noiseScale: spec.noiseScale ?? 0.5,
  };
}

function runner(limits: Partial<BatchLimits> = {}, stats: VocoderBatchStats[] = [], session?: DecoderSession): VocoderRunner {
  const dims = bundle.manifest.sovits?.dims;
  const decoder = session ?? bundle.sessions.sovitsDecoder;
  if (dims === undefined || decoder === undefined) throw new Error('the test bundle is not a VITS model');
  return new VocoderRunner(decoder, { inter: dims.inter, gin: dims.gin, codebookSize: dims.codebookSize, symbols: dims.symbols }, limits, (s) => stats.push(s));
}

function audioOf(result: VocoderResult | undefined): Float32Array {
  if (result?.status !== 'fulfilled') throw new Error(`expected audio, got ${result?.status === 'rejected' ? result.reason.message : 'nothing'}`);
  return result.value;
}

async function alone(one: VocoderItem): Promise<Float32Array> {
  return audioOf((await runner().decode([one]))[0]);
}

describe('vocoder runner (tiny bundle, fp32, CPU)', () => {
  it('decodes a padded batch of mixed lengths, speeds and noise scales as each item alone, at the exact length', async () => {
    const items = [
      item({ tokens: 12, phones: 5 }),
      item({ tokens: 9, phones: 11, speed: 1.25, segmentIndex: 1 }),
      item({ tokens: 14, phones: 3, speed: 0.8, seed: 99 }),
      item({ tokens: 11, noiseScale: 0.3, segmentIndex: 4 }),
    ];
    const stats: VocoderBatchStats[] = [];
    const results = await runner({ maxLengthRatio: 10 }, stats).decode(items);
    expect(stats.map((s) => s.items)).toEqual([4]);
    for (const [i, one] of items.entries()) {
      const batched = audioOf(results[i]);
      expect(batched.length).toBe(sovitsFrameCount(one.tokens.length, one.speed) * 640);
      expect(maxAbsDiff(batched, await alone(one)), `item ${i}`).toBeLessThanOrEqual(1e-5);
    }
  });

  it('groups items into length buckets and returns results in input order', async () => {
    const items = [60, 10, 32, 11, 30].map((tokens) => item({ tokens }));
    const stats: VocoderBatchStats[] = [];
    const results = await runner({ maxItems: 8, maxFrames: 10_000, maxLengthRatio: 1.5 }, stats).decode(items);
    expect(stats.map((s) => s.items)).toEqual([2, 2, 1]);
    for (const s of stats) expect(s.paddedFrames / s.usefulFrames).toBeLessThanOrEqual(1.5);
    results.forEach((result, i) => {
      expect(audioOf(result).length).toBe((items[i]?.tokens.length ?? 0) * 1280);
    });
  });

  it('gives the same audio for the same seed whatever shares the batch, and other audio for another seed or segment', async () => {
    const target = item({ tokens: 20, seed: 7, segmentIndex: 2 });
    const reference = await alone(target);
    const crowd = [item({ tokens: 22 }), item({ tokens: 18, seed: 8 }), target, item({ tokens: 21, segmentIndex: 2 })];
    const batched = audioOf((await runner({ maxLengthRatio: 2 }).decode(crowd))[2]);
    expect(maxAbsDiff(batched, reference)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(await alone(target), reference)).toBe(0);
    expect(snrDb(await alone({ ...target, seed: 8 }), reference)).toBeLessThan(20);
    expect(snrDb(await alone({ ...target, segmentIndex: 3 }), reference)).toBeLessThan(20);
  });

  it('fails a bad item alone, with a message naming its request, segment and field', async () => {
    const good = item({ tokens: 10 });
    const badPhone = { ...item({ tokens: 10, requestId: 'bad-req', segmentIndex: 1 }), phoneIds: Int32Array.of(3, 4, 999) };
    const corrupt = { ...item({ tokens: 10, requestId: 'nan-req', segmentIndex: 5 }), ge: new Float32Array(64).fill(1e30) };
    const empty = { ...item({ tokens: 10, requestId: 'empty-req' }), tokens: new Int32Array(0) };
    const results = await runner().decode([good, badPhone, corrupt, empty]);
    expect(maxAbsDiff(audioOf(results[0]), await alone(good))).toBeLessThanOrEqual(1e-5);
    const reasons = results.slice(1).map((r) => (r.status === 'rejected' ? r.reason.message : 'fulfilled'));
    expect(reasons[0]).toMatch(/request bad-req segment 1: phoneIds\[2\] = 999 is outside \[0, 732\)/);
    // A finite but absurd timbre vector overflows inside the graph: NaN audio is an error, never returned.
    expect(reasons[1]).toMatch(/request nan-req segment 5: decoder produced a non-finite sample/);
    expect(reasons[2]).toMatch(/request empty-req segment 0: tokens is empty/);
  });

  it('retries a failed graph call item by item, so only the item that breaks it fails', async () => {
    const real = bundle.sessions.sovitsDecoder;
    if (real === undefined) throw new Error('the test bundle is not a VITS model');
    // As a device error would for one input: this session refuses any call that contains a 13-token item.
    const flaky: DecoderSession = {
      label: real.label,
      run: (feeds: Feeds) => {
        const lengths = Array.from(feeds['code_lengths']?.data as BigInt64Array, Number);
        return lengths.includes(13) ? Promise.reject(new Error('CUDA failure 700: an illegal memory access')) : real.run(feeds);
      },
    };
    const items = [item({ tokens: 12 }), item({ tokens: 13, requestId: 'doomed', segmentIndex: 3 }), item({ tokens: 14 })];
    const stats: VocoderBatchStats[] = [];
    const results = await runner({}, stats, flaky).decode(items);
    expect(stats.map((s) => [s.items, s.failed])).toEqual([[3, true], [1, false], [1, true], [1, false]]);
    expect(maxAbsDiff(audioOf(results[0]), await alone(items[0]!))).toBeLessThanOrEqual(1e-5);
    expect(maxAbsDiff(audioOf(results[2]), await alone(items[2]!))).toBeLessThanOrEqual(1e-5);
    expect(results[1]?.status === 'rejected' && results[1].reason.message).toMatch(/request doomed segment 3: decoder failed: CUDA failure 700/);
  });
});

describe('token-chunk streaming (tiny bundle)', () => {
  const T = 150;
  const FRAGMENT_SAMPLES = 0.3 * 32000;
  const whole = item({ tokens: T, phones: 40, seed: 77, segmentIndex: 2 });
  const segment: StreamSegment = { ...whole };

  async function streamed(mode: 'quiet' | 'fixed', tokens: Int32Array, options: { overlapTokens?: number } = {}): Promise<AudioPiece[]> {
    const decoder = new StreamingSegmentDecoder(runner(), segment, { mode, minChunkTokens: 16, overlapTokens: options.overlapTokens ?? 2, quietTokens: quiet, fragmentInterval: 0.3 });
    const pieces: AudioPiece[] = [];
    for (let i = 0; i < tokens.length; i += 3) pieces.push(...(await decoder.push(tokens.subarray(i, i + 3))));
    pieces.push(await decoder.end());
    return pieces;
  }

  function joined(pieces: readonly AudioPiece[]): Float32Array {
    const out = new Float32Array(pieces.reduce((n, p) => n + p.samples.length, 0));
    let at = 0;
    for (const piece of pieces) {
      out.set(piece.samples, at);
      at += piece.samples.length;
    }
    return out;
  }

  for (const [mode, label] of [['quiet', 'mode 2'], ['fixed', 'mode 3']] as const) {
    it(`${label}: pieces tile the segment, end it, and stay close to the whole decode without seam spikes`, async () => {
      const reference = await alone(whole);
      const pieces = await streamed(mode, whole.tokens);
      expect(pieces.length).toBeGreaterThan(3);
      expect(pieces.map((p) => p.last)).toEqual([...Array<boolean>(pieces.length - 1).fill(false), true]);
      const audio = joined(pieces);
      expect(audio.length).toBe(T * 1280 + FRAGMENT_SAMPLES);
      expect(audio.subarray(T * 1280).every((v) => v === 0)).toBe(true);
      const speech = audio.subarray(0, T * 1280);
      // Measured 11.1 dB (mode 2) and 11.4 dB (mode 3). The random tiny model's attention is global, so even a
      // prefix decode of the whole segment differs from the full decode by 10-17 dB; wrong noise frames give 3.5 dB.
      expect(snrDb(speech, reference)).toBeGreaterThan(8);
      let largestStep = 0;
      for (let i = 1; i < reference.length; i += 1) largestStep = Math.max(largestStep, Math.abs(reference[i]! - reference[i - 1]!));
      let at = 0;
      for (const piece of pieces.slice(0, -1)) {
        at += piece.samples.length;
        expect(Math.abs(speech[at]! - speech[at - 1]!), `seam at ${at}`).toBeLessThan(largestStep);
      }
    });
  }

  it('a segment shorter than a chunk streams as one piece equal to the whole decode', async () => {
    const short = { ...whole, tokens: whole.tokens.slice(0, 10) };
    const pieces = await streamed('fixed', short.tokens);
    expect(pieces).toHaveLength(1);
    expect(maxAbsDiff(pieces[0]!.samples.subarray(0, 10 * 1280), await alone(short))).toBeLessThanOrEqual(1e-6);
  });

  it('rejects with the failing decode\'s error', async () => {
    const decoder = new StreamingSegmentDecoder(runner(), { ...segment, requestId: 'stream-bad', phoneIds: Int32Array.of(-1) }, { mode: 'fixed', minChunkTokens: 4, overlapTokens: 2, fragmentInterval: 0 });
    await expect(decoder.push(whole.tokens.subarray(0, 8))).rejects.toThrow(/request stream-bad segment 2: phoneIds\[0\] = -1/);
  });
});
