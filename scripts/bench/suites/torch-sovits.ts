/**
 * The engine suite's SoVITS decode against GPT-SoVITS's own (issue 13): gsv-edge's `sovits-decoder` through its
 * VocoderRunner at one item per call, as the engine runs it on the CPU (gpu-function/bench/engine/vocoder-batch.ts),
 * and GPT-SoVITS's PyTorch `SynthesizerTrn.decode`, the call TTS.py makes per segment
 * (scripts/bench/python/sovits_decode_torch.py, on the bench's synthetic sovits.pth), with the same thread count,
 * tokens and phones. Each token count runs gsv-edge then PyTorch, back to back, so on a shared machine the two
 * sides of a ratio see the same load. Both are stated in milliseconds per second of audio. Without a checkout or
 * torch the PyTorch side is skipped with the reason, never failed; gsv-edge's side runs regardless.
 * @module
 */
import { join } from 'node:path';
import type { ScenarioRecord, ScenarioSpec } from '../child.ts';
import { figure, type Figure, type FigureSpec } from '../figures.ts';
import { TIMEOUT_SECONDS, type BenchRun } from '../run-context.ts';
import { engineThreads, probeTorchBaseline, torchPaths, type TorchBaseline } from './torch-baseline.ts';

export const SOVITS_TORCH_SCRIPT = 'scripts/bench/python/sovits_decode_torch.py';
export const SOVITS_BASELINE: TorchBaseline = { imports: join('GPT_SoVITS', 'module', 'models.py'), what: 'its PyTorch SoVITS decode' };
/** Phones per item on both sides (vocoder-batch.ts's default; 100 tokens are 4 s of audio, about 40 phones of speech). */
export const DECODE_PHONES = 40;

/** One token count: gsv-edge's scenario and GPT-SoVITS's, run back to back. */
export interface SovitsDecodePoint {
  readonly tokens: number;
  readonly edge: ScenarioRecord;
  readonly torch: ScenarioRecord;
}

/** Runs both sides per token count (gsv-edge first), or records a side as skipped with the reason. */
export async function runSovitsDecodes(run: BenchRun, bundle: string | undefined, modelsReady: boolean, tokenCounts: readonly number[]): Promise<{ points: SovitsDecodePoint[]; torchVersion: string | null }> {
  const threads = engineThreads();
  const runs = run.options.quick ? 2 : 5;
  const { python, checkout } = torchPaths(run);
  const probe = probeTorchBaseline(checkout, python, SOVITS_BASELINE);
  const points: SovitsDecodePoint[] = [];
  for (const tokens of tokenCounts) {
    const seconds = tokens / 25;
    const edge = await run.runIf(
      bundle !== undefined,
      {
        id: `engine.vocoder-t${String(tokens)}`,
        suite: 'engine',
        label: `gsv-edge SoVITS decoder (VocoderRunner, batch 1), ${String(tokens)} tokens (${String(seconds)} s), ${String(DECODE_PHONES)} phones`,
        script: 'gpu-function/bench/engine/vocoder-batch.ts',
        args: ['--bundle', bundle ?? '', '--batches', '1', '--tokens', String(tokens), '--phones', String(DECODE_PHONES), '--runs', String(runs)],
        timeoutSeconds: TIMEOUT_SECONDS.short,
      },
      'no fp32 bundle could be built',
    );
    const spec: ScenarioSpec = {
      id: `engine.torch-sovits-t${String(tokens)}`,
      suite: 'engine',
      label: `GPT-SoVITS's PyTorch SoVITS decode (SynthesizerTrn.decode), ${String(tokens)} tokens (${String(seconds)} s), ${String(DECODE_PHONES)} phones, ${String(threads)} thread(s)`,
      script: SOVITS_TORCH_SCRIPT,
      program: python,
      args: [
        '--gpt-sovits-dir',
        checkout ?? '',
        // Without the synthetic set the model is left randomly initialised: its time does not depend on the values.
        ...(modelsReady ? ['--checkpoint', join(run.modelsDir, 'sovits.pth')] : []),
        '--threads',
        String(threads),
        '--tokens',
        String(tokens),
        '--phones',
        String(DECODE_PHONES),
        '--runs',
        String(runs),
      ],
      // torch's OpenMP threads slow down many times over when another process takes a core: room for that.
      timeoutSeconds: TIMEOUT_SECONDS.short,
    };
    const torch = probe.ready ? await run.run(spec) : run.skip(spec, probe.reason);
    points.push({ tokens, edge, torch });
  }
  return { points, torchVersion: probe.ready ? probe.torchVersion : null };
}

/** gsv-edge's decoder time per second of audio, from vocoder-batch.ts's batch-1 item time and item length. */
export function edgeMsPerAudioSecond(edge: ScenarioRecord): number | null {
  const itemMs = edge.metrics['b1_item_ms'] ?? null;
  const seconds = edge.metrics['audio_seconds_per_item'] ?? null;
  return itemMs === null || seconds === null || seconds <= 0 ? null : itemMs / seconds;
}

/**
 * Per token count: gsv-edge's ms per audio second, GPT-SoVITS's (whole decode, and without the reference encoder it
 * runs inside every call), and gsv-edge against it: `vs_torch` = gsv-edge / PyTorch (below 1: gsv-edge faster),
 * `speedup_vs_torch` the inverse, and `speedup_vs_torch_without_ref_enc` like for like (gsv-edge's decoder takes the
 * voice's `ge`, computed once when the voice is registered). Informational: the issue states no target here.
 */
export function sovitsDecodeFigures(points: readonly SovitsDecodePoint[], torchVersion: string | null): Figure[] {
  const figures: Figure[] = [];
  for (const { tokens, edge, torch } of points) {
    const where = `${String(tokens)} tokens (${String(tokens / 25)} s), batch 1`;
    const about = `${torchVersion === null ? 'torch (not run)' : `torch ${torchVersion}`}, GPT-SoVITS SynthesizerTrn.decode, fp32 CPU, ${String(torch.metrics['torch_threads'] ?? engineThreads())} thread(s)`;
    const key = `t${String(tokens)}`;
    const edgeMs = edgeMsPerAudioSecond(edge);
    const torchMs = torch.metrics[`${key}_ms_per_audio_second`] ?? null;
    const torchNoRef = torch.metrics[`${key}_ms_per_audio_second_without_ref_enc`] ?? null;
    const ratio = (numerator: number | null, denominator: number | null): number | null => (numerator !== null && denominator !== null && numerator > 0 && denominator > 0 ? numerator / denominator : null);
    const atEdge = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'engine', scenario: edge.id });
    const atTorch = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'engine', scenario: torch.id });
    figures.push(
      atEdge({ id: `engine.vocoder.${key}.ms_per_audio_second`, label: `gsv-edge SoVITS decoder per second of audio, ${where}`, unit: 'ms', value: edgeMs, note: 'fp32 sovits-decoder through VocoderRunner, median item time / its audio seconds' }),
      atTorch({ id: `engine.torch.sovits_decode.${key}.ms_per_audio_second`, label: `GPT-SoVITS PyTorch SoVITS decode per second of audio, ${where}`, unit: 'ms', value: torchMs, note: `${about}; its reference encoder included, as TTS.py runs it per segment` }),
      atTorch({
        id: `engine.torch.sovits_decode.${key}.ms_per_audio_second_without_ref_enc`,
        label: `the same without its reference encoder, ${where}`,
        unit: 'ms',
        value: torchNoRef,
        note: `${about}; ref_enc's time inside each call taken out`,
      }),
      atTorch({ id: `engine.vocoder.${key}.vs_torch`, label: `gsv-edge decoder / PyTorch decode, ${where} (below 1: gsv-edge faster)`, unit: 'ratio', value: ratio(edgeMs, torchMs), note: `gsv-edge's ${edge.id} against ${about}, back to back in the same run` }),
      atTorch({ id: `engine.vocoder.${key}.speedup_vs_torch`, label: `speed-up over GPT-SoVITS's PyTorch SoVITS decode, ${where}`, unit: 'ratio', value: ratio(torchMs, edgeMs), note: `PyTorch decode / gsv-edge decoder; ${about}` }),
      atTorch({
        id: `engine.vocoder.${key}.speedup_vs_torch_without_ref_enc`,
        label: `the same, PyTorch without its reference encoder, ${where}`,
        unit: 'ratio',
        value: ratio(torchNoRef, edgeMs),
        note: `like for like: gsv-edge's decoder takes the voice's ge, computed once per voice; ${about}`,
      }),
    );
  }
  return figures;
}
