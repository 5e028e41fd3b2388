/**
 * Suite `engine` (issue 4), on the full-size fp32 bundle with the CPU provider:
 * a. aggregate T2S tokens/s at 1, 4 and 16 concurrent requests and the same 16 one after another (target: 16
 *    concurrent ≥ 8× sequential), through the engine's scheduler, runner and sampler, without the vocoder;
 * b. one decode step at KV-cache lengths 150 / 500 / 1000, batch 1 and 16: its time, the share spent in JavaScript
 *    outside onnxruntime (target ≤ 5 % at batch 16), the bytes a CUDA device would move per token (issue 13), and
 *    per-token speed against the official GPT-SoVITS ONNX decoder, run side by side on the same checkpoint (target
 *    ≥ 10× at batch 1, ≥ 100× aggregate at batch 16), and against GPT-SoVITS's PyTorch loop (issue 13: its
 *    `infer_panel_batch_infer`, timed by scripts/bench/python/t2s_torch_loop.py where a checkout and torch exist);
 * b'. the SoVITS decoder per second of audio at 40 and 100 tokens, one item per call, against GPT-SoVITS's PyTorch
 *    `SynthesizerTrn.decode` (issue 13, scripts/bench/python/sovits_decode_torch.py, same conditions);
 * c. time to first audio against total time for a 20-second utterance, streamed (mode 3) and whole;
 * d. peak RSS of the 16-concurrent scenario (the whole bundle loaded, as a worker holds it).
 * @module
 */
import { join } from 'node:path';
import type { ScenarioRecord } from '../child.ts';
import { figure, type Figure, type FigureSpec } from '../figures.ts';
import { TIMEOUT_SECONDS, type BenchRun } from '../run-context.ts';
import { runTorchSteps, torchFigures } from './torch-baseline.ts';
import { runSovitsDecodes, sovitsDecodeFigures } from './torch-sovits.ts';

/**
 * The official GPT-SoVITS ONNX decoder (`onnx_export.py`'s stage decoder) per step at batch 1 on a 2-core machine,
 * by KV-cache length, as issue 4 quotes them. The targets are judged against the same decoder measured in the run
 * (`engine.official-steps`); these stay as a cross-check of that measurement.
 */
export const OFFICIAL_DECODER_MS: Readonly<Record<number, number>> = { 150: 94, 500: 316, 1000: 664 };
const CACHE_LENGTHS = [150, 500, 1000] as const;
/**
 * What `host_device_bytes_per_token` means. The runtime counts every decode input and output byte, which is what the
 * CUDA provider copies each run (onnxruntime-node has no IoBinding); on this CPU run nothing crosses, so the figure
 * is what a GPU would move with the same graphs and precision (fp32 here; an fp16 bundle halves the KV part).
 */
const HOST_DEVICE_NOTE =
  "decode graph inputs + outputs per generated token: what the CUDA provider copies each step. Today's route feeds the whole KV pool (capacity rounded up to 128 columns) every step, so it grows with the cache; issue 13's device-resident route must make it flat";
const BATCHES = [1, 16] as const;
/** Semantic tokens per SoVITS decode call (1.6 s and 4 s of audio): a short and a typical cut segment. */
const DECODE_TOKENS = [40, 100] as const;

const THROUGHPUT = [
  { key: 'c1', requests: 1, concurrency: 1, label: '1 request' },
  { key: 'c4', requests: 4, concurrency: 4, label: '4 concurrent requests' },
  { key: 'c16', requests: 16, concurrency: 16, label: '16 concurrent requests' },
  { key: 'sequential16', requests: 16, concurrency: 1, label: 'the same 16 requests one after another' },
] as const;

export async function runEngineSuite(run: BenchRun): Promise<Figure[]> {
  const bundle = await run.ensureFp32Bundle();
  const ready = bundle !== undefined;
  const missing = 'no fp32 bundle could be built';
  const quick = run.options.quick;
  const tokens = quick ? 24 : 200;
  const figures: Figure[] = [];
  const records = new Map<string, ScenarioRecord>();

  for (const point of THROUGHPUT) {
    const record = await run.runIf(
      ready,
      {
        id: `engine.t2s-${point.key}`,
        suite: 'engine',
        label: `T2S decode throughput, ${point.label} (${String(tokens)} tokens each)`,
        script: 'gpu-function/bench/engine/t2s-throughput.ts',
        args: ['--bundle', bundle ?? '', '--requests', String(point.requests), '--concurrency', String(point.concurrency), '--tokens', String(tokens), ...(point.key === 'c16' ? ['--whole-bundle'] : [])],
        timeoutSeconds: TIMEOUT_SECONDS.long,
      },
      missing,
    );
    records.set(point.key, record);
    const at = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'engine', scenario: record.id });
    figures.push(
      at({ id: `engine.t2s.${point.key}.decode_tokens_per_s`, label: `T2S decode tokens/s, ${point.label}`, unit: 'tokens/s', value: record.metrics['decode_tokens_per_s'] }),
      at({ id: `engine.t2s.${point.key}.t2s_tokens_per_s`, label: `T2S tokens/s with prefill, ${point.label}`, unit: 'tokens/s', value: record.metrics['t2s_tokens_per_s'] }),
    );
  }
  const ratio = (metric: string): number | null => {
    const concurrent = records.get('c16')?.metrics[metric];
    const sequential = records.get('sequential16')?.metrics[metric];
    return typeof concurrent === 'number' && typeof sequential === 'number' && sequential > 0 ? concurrent / sequential : null;
  };
  const c16 = records.get('c16');
  figures.push(
    figure({ id: 'engine.t2s.concurrency_ratio', suite: 'engine', scenario: 'engine.t2s-c16', label: 'decode tokens/s, 16 concurrent / 16 sequential', unit: 'ratio', value: ratio('decode_tokens_per_s'), target: { op: '>=', value: 8, text: '≥ 8×' } }),
    figure({ id: 'engine.t2s.concurrency_ratio_with_prefill', suite: 'engine', scenario: 'engine.t2s-c16', label: 'the same, prefill included', unit: 'ratio', value: ratio('t2s_tokens_per_s') }),
    figure({ id: 'engine.t2s.c16.decode_js_share', suite: 'engine', scenario: 'engine.t2s-c16', label: 'share of decode time outside onnxruntime, 16 concurrent', unit: 'share', value: c16?.metrics['decode_js_share'] }),
    figure({ id: 'engine.memory.c16_peak_rss_bytes', suite: 'engine', scenario: 'engine.t2s-c16', label: 'peak RSS, whole bundle loaded, 16 concurrent requests', unit: 'bytes', value: c16?.status === 'ok' ? c16.peak_rss_bytes : null }),
  );

  const models = await run.ensureModels();
  const official = await run.runIf(
    models.status === 'ok',
    {
      id: 'engine.official-steps',
      suite: 'engine',
      label: `GPT-SoVITS's own ONNX decoder (onnx_export.py stage decoder, rebuilt), batch 1, cache ${CACHE_LENGTHS.join(' / ')}`,
      script: 'gpu-function/bench/engine/official-steps.ts',
      args: ['--models', run.modelsDir, '--work', join(run.workDir, 'official'), '--lengths', CACHE_LENGTHS.join(','), ...(quick ? ['--warmup', '1', '--steps', '2', '--rounds', '1'] : []), ...(run.options.officialExport === undefined ? [] : ['--export', run.options.officialExport])],
      timeoutSeconds: TIMEOUT_SECONDS.long,
    },
    'the synthetic model set could not be written',
  );
  figures.push(...officialFigures(official));

  const steps = await run.runIf(
    ready,
    {
      id: 'engine.t2s-steps',
      suite: 'engine',
      label: `decode step at cache ${CACHE_LENGTHS.join(' / ')}, batch ${BATCHES.join(' and ')}`,
      script: 'gpu-function/bench/engine/t2s-steps.ts',
      args: ['--bundle', bundle ?? '', '--batches', BATCHES.join(','), '--lengths', CACHE_LENGTHS.join(','), ...(quick ? ['--warmup', '1', '--steps', '3'] : ['--warmup', '2', '--steps', '8'])],
      timeoutSeconds: TIMEOUT_SECONDS.long,
    },
    missing,
  );
  figures.push(...stepFigures(steps, official));

  // GPT-SoVITS's PyTorch loop, what its users run, right after gsv-edge's step (skipped without a checkout or torch).
  const torch = await runTorchSteps(run, models.status === 'ok', BATCHES, CACHE_LENGTHS);
  figures.push(...torchFigures(torch.record, torch.torchVersion, steps, BATCHES, CACHE_LENGTHS));

  // The SoVITS decode per second of audio, gsv-edge's then GPT-SoVITS's PyTorch one back to back per token count
  // (the PyTorch side skipped without a checkout or torch).
  const decodes = await runSovitsDecodes(run, bundle, models.status === 'ok', quick ? [40] : DECODE_TOKENS);
  figures.push(...sovitsDecodeFigures(decodes.points, decodes.torchVersion));

  for (const mode of ['stream', 'segment'] as const) {
    const audioTokens = quick ? 48 : 500;
    const record = await run.runIf(
      ready,
      {
        id: `engine.first-audio-${mode}`,
        suite: 'engine',
        label: `Engine end to end, ${String(audioTokens)} tokens (${String(audioTokens / 25)} s) ${mode === 'stream' ? 'streamed in 16-token chunks (mode 3)' : 'as one segment'}`,
        script: 'gpu-function/bench/engine/first-audio.ts',
        args: ['--bundle', bundle ?? '', '--data', run.dataDir, '--mode', mode, '--tokens', String(audioTokens)],
        timeoutSeconds: TIMEOUT_SECONDS.long,
      },
      missing,
    );
    const at = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'engine', scenario: record.id });
    figures.push(
      at({ id: `engine.first_audio.${mode}.ttfa_ms`, label: `time to first audio, ${mode}`, unit: 'ms', value: record.metrics['ttfa_ms'] }),
      at({ id: `engine.first_audio.${mode}.total_ms`, label: `total time, ${mode}`, unit: 'ms', value: record.metrics['total_ms'] }),
      at({ id: `engine.first_audio.${mode}.audio_seconds`, label: `audio produced, ${mode}`, unit: 's', value: record.metrics['audio_seconds'] }),
      at({ id: `engine.first_audio.${mode}.realtime_factor`, label: `total time / audio time, ${mode}`, unit: 'ratio', value: record.metrics['realtime_factor'] }),
      at({ id: `engine.first_audio.${mode}.prepare_ms`, label: `before the first step: text frontend + BERT, ${mode}`, unit: 'ms', value: record.metrics['prepare_ms'] }),
      at({ id: `engine.first_audio.${mode}.prefill_step_ms`, label: `T2S prefill step, ${mode}`, unit: 'ms', value: record.metrics['prefill_step_ms'] }),
      at({ id: `engine.first_audio.${mode}.first_vocode_step_ms`, label: `first step that vocoded (decode + vocoder), ${mode}`, unit: 'ms', value: record.metrics['first_vocode_step_ms'] }),
      at({ id: `engine.first_audio.${mode}.peak_rss_bytes`, label: `peak RSS, Engine end to end, ${mode}`, unit: 'bytes', value: record.status === 'ok' ? record.peak_rss_bytes : null }),
    );
  }
  return figures;
}

function officialFigures(record: ScenarioRecord): Figure[] {
  const at = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'engine', scenario: record.id });
  return CACHE_LENGTHS.flatMap((length) => {
    const ms = record.metrics[`l${String(length)}_step_ms`] ?? null;
    const quoted = OFFICIAL_DECODER_MS[length] ?? null;
    const exported = record.metrics[`export_l${String(length)}_step_ms`];
    return [
      ...(exported === undefined ? [] : [at({ id: `engine.official_export.l${String(length)}.step_ms`, label: `genuine onnx_export.py decoder step, batch 1, cache ${String(length)}`, unit: 'ms', value: exported })]),
      at({ id: `engine.official.l${String(length)}.step_ms`, label: `official decoder step (measured), batch 1, cache ${String(length)}`, unit: 'ms', value: ms }),
      at({ id: `engine.official.l${String(length)}.measured_vs_quoted`, label: `official decoder measured / issue's ${String(quoted)} ms, cache ${String(length)}`, unit: 'ratio', value: ms === null || quoted === null ? null : ms / quoted }),
    ];
  });
}

/**
 * Decode-step figures, and the per-token ratios against the official decoder twice: against the step measured in
 * this run (`engine.official-steps`, which carries the targets) and against the figures the issue quotes (info).
 */
function stepFigures(record: ScenarioRecord, official: ScenarioRecord): Figure[] {
  const figures: Figure[] = [];
  const at = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'engine', scenario: record.id });
  for (const batch of BATCHES) {
    for (const length of CACHE_LENGTHS) {
      const key = `b${String(batch)}_l${String(length)}`;
      const id = `engine.step.b${String(batch)}.l${String(length)}`;
      const ms = record.metrics[`${key}_step_ms`] ?? null;
      figures.push(
        at({ id: `${id}.step_ms`, label: `decode step, batch ${String(batch)}, cache ${String(length)}`, unit: 'ms', value: ms }),
        at({
          id: `${id}.js_share`,
          label: `share outside onnxruntime, batch ${String(batch)}, cache ${String(length)}`,
          unit: 'share',
          value: record.metrics[`${key}_js_share`],
          ...(batch === 16 ? { target: { op: '<=', value: 0.05, text: '≤ 5 %' } } : {}),
        }),
        at({
          id: `${id}.host_device_bytes_per_token`,
          label: `host↔device bytes per token under CUDA, batch ${String(batch)}, cache ${String(length)}`,
          unit: 'bytes',
          value: record.metrics[`${key}_host_device_bytes_per_token`],
          note: HOST_DEVICE_NOTE,
        }),
      );
      const baselines = [
        { suffix: '_measured', ms: official.metrics[`l${String(length)}_step_ms`] ?? null, what: 'official (measured in this run)', judged: true },
        { suffix: '', ms: OFFICIAL_DECODER_MS[length] ?? null, what: "official (the issue's figure)", judged: false },
      ];
      for (const baseline of baselines) {
        const perToken = ms === null ? null : ms / batch;
        const value = perToken === null || baseline.ms === null ? null : baseline.ms / perToken;
        const about = baseline.ms === null ? '' : ` ${baseline.ms.toFixed(0)} ms`;
        const single = batch === 1;
        figures.push(
          at({
            id: `${id}.${single ? 'speedup_vs_official' : 'aggregate_speedup_vs_official'}${baseline.suffix}`,
            label: `per token vs ${baseline.what}${about}${single ? ', batch 1' : ` (batch 1), ${String(batch)} streams`}, cache ${String(length)}`,
            unit: 'ratio',
            value,
            ...(baseline.judged ? { target: single ? { op: '>=', value: 10, text: '≥ 10×' } : { op: '>=', value: 100, text: '≥ 100×' } } : {}),
          }),
        );
      }
    }
  }
  return figures;
}
