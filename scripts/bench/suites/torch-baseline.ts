/**
 * The engine suite's PyTorch baseline (issue 13, "Measure against what users actually run"): GPT-SoVITS's own T2S
 * loop (`infer_panel_batch_infer`, what TTS.py runs) timed per decode step by scripts/bench/python/t2s_torch_loop.py
 * on the bench's synthetic gpt.ckpt, in the same run as gsv-edge's decode step and with the same thread count, and
 * the ratios against it. GPT-SoVITS's code is the user's checkout (`--gpt-sovits-dir` / GSV_GPT_SOVITS_DIR), run by
 * `--python` / GSV_BENCH_PYTHON (default python3); without a checkout or without torch the scenario is skipped with
 * the reason, never failed.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { ScenarioRecord, ScenarioSpec } from '../child.ts';
import { figure, type Figure, type FigureSpec } from '../figures.ts';
import { TIMEOUT_SECONDS, type BenchRun } from '../run-context.ts';

export const TORCH_SCRIPT = 'scripts/bench/python/t2s_torch_loop.py';

/** One of GPT-SoVITS's PyTorch baselines: the checkout file its script imports, and what skipping it leaves out. */
export interface TorchBaseline {
  readonly imports: string;
  readonly what: string;
}

/** The T2S loop (scripts/bench/python/t2s_torch_loop.py imports its Text2SemanticDecoder). */
export const T2S_BASELINE: TorchBaseline = { imports: join('GPT_SoVITS', 'AR', 'models', 't2s_model.py'), what: 'its PyTorch T2S loop' };

/** What the PyTorch baseline needs, found before it runs: the reason it cannot run, or the Python's torch version. */
export type TorchProbe = { readonly ready: false; readonly reason: string } | { readonly ready: true; readonly torchVersion: string; readonly checkout: string };

export function probeTorchBaseline(gptSovitsDir: string | undefined, python: string, baseline: TorchBaseline = T2S_BASELINE): TorchProbe {
  if (gptSovitsDir === undefined) {
    return { ready: false, reason: `no GPT-SoVITS checkout given (--gpt-sovits-dir DIR or GSV_GPT_SOVITS_DIR): ${baseline.what} was not timed` };
  }
  const checkout = resolve(gptSovitsDir);
  if (!existsSync(join(checkout, baseline.imports))) return { ready: false, reason: `${checkout} is not a GPT-SoVITS checkout (no ${baseline.imports})` };
  const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
  if (probe.error !== undefined) return { ready: false, reason: `no Python at "${python}" (--python PATH or GSV_BENCH_PYTHON): ${probe.error.message}` };
  if (probe.status !== 0) {
    const last = probe.stderr.trim().split('\n').pop() ?? '';
    return { ready: false, reason: `${python} has no usable torch (--python PATH or GSV_BENCH_PYTHON to pick another): ${last}` };
  }
  return { ready: true, torchVersion: probe.stdout.trim(), checkout };
}

/**
 * Threads onnxruntime's intra-op pool uses in the engine's scenarios: ORT_THREADS when set, else one per physical
 * core (onnxruntime's default), counted from /proc/cpuinfo, else every logical CPU.
 */
export function engineThreads(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const set = Number(env['ORT_THREADS'] ?? '0');
  if (Number.isInteger(set) && set > 0) return set;
  try {
    const cores = new Set<string>();
    for (const block of readFileSync('/proc/cpuinfo', 'utf8').split('\n\n')) {
      const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
      const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
      if (physical !== undefined && core !== undefined) cores.add(`${physical}:${core}`);
    }
    if (cores.size > 0) return cores.size;
  } catch {
    // not Linux: fall through
  }
  return availableParallelism();
}

/**
 * The Python and the checkout the PyTorch scenarios run with. Scenarios run from the repository root, so a relative
 * checkout or Python path is taken from where the bench was started.
 */
export function torchPaths(run: BenchRun): { python: string; checkout: string | undefined } {
  const python = run.options.python.includes('/') ? resolve(run.options.python) : run.options.python;
  const checkout = run.options.gptSovitsDir === undefined ? undefined : resolve(run.options.gptSovitsDir);
  return { python, checkout };
}

/** Runs the PyTorch loop at the engine step scenario's batches and cache lengths, or records why it was skipped. */
export async function runTorchSteps(run: BenchRun, modelsReady: boolean, batches: readonly number[], lengths: readonly number[]): Promise<{ record: ScenarioRecord; torchVersion: string | null }> {
  const threads = engineThreads();
  const quick = run.options.quick;
  const { python, checkout } = torchPaths(run);
  const spec: ScenarioSpec = {
    id: 'engine.torch-steps',
    suite: 'engine',
    label: `GPT-SoVITS's PyTorch T2S loop (infer_panel_batch_infer), batch ${batches.join(' and ')}, cache ${lengths.join(' / ')}, ${String(threads)} thread(s)`,
    script: TORCH_SCRIPT,
    program: python,
    args: [
      '--gpt-sovits-dir',
      checkout ?? '',
      '--checkpoint',
      join(run.modelsDir, 'gpt.ckpt'),
      '--threads',
      String(threads),
      '--batches',
      batches.join(','),
      '--lengths',
      lengths.join(','),
      ...(quick ? ['--warmup', '1', '--steps', '3', '--rounds', '1'] : ['--warmup', '2', '--steps', '10', '--rounds', '1']),
    ],
    // Two of its prefills (16 × 500 and 16 × 1000 tokens) take minutes on 2 cores, and torch's OpenMP threads slow
    // down badly on a shared CPU: room for that, since a timeout loses every point of the scenario.
    timeoutSeconds: 2 * TIMEOUT_SECONDS.long,
  };
  if (!modelsReady) return { record: run.skip(spec, 'the synthetic model set could not be written'), torchVersion: null };
  const probe = probeTorchBaseline(checkout, python);
  if (!probe.ready) return { record: run.skip(spec, probe.reason), torchVersion: null };
  return { record: await run.run(spec), torchVersion: probe.torchVersion };
}

/**
 * Figures of the PyTorch baseline: its step time per (batch, cache length), and gsv-edge's step against it, both
 * ways (`vs_torch`: gsv-edge ms / PyTorch ms, below 1 is gsv-edge faster; `speedup_vs_torch`: the inverse). Both
 * steps run at the same batch, so the ratios hold per token too. Informational: the issue states no target here.
 */
export function torchFigures(torch: ScenarioRecord, torchVersion: string | null, steps: ScenarioRecord, batches: readonly number[], lengths: readonly number[]): Figure[] {
  const about = `${torchVersion === null ? 'torch (not run)' : `torch ${torchVersion}`}, GPT-SoVITS infer_panel_batch_infer, fp32 CPU, ${String(torch.metrics['torch_threads'] ?? engineThreads())} thread(s)`;
  const figures: Figure[] = [];
  for (const batch of batches) {
    for (const length of lengths) {
      const key = `b${String(batch)}_l${String(length)}`;
      const where = `batch ${String(batch)}, cache ${String(length)}`;
      const torchMs = torch.metrics[`${key}_step_ms`] ?? null;
      const edgeMs = steps.metrics[`${key}_step_ms`] ?? null;
      const both = torchMs !== null && edgeMs !== null && torchMs > 0 && edgeMs > 0;
      const atTorch = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'engine', scenario: torch.id });
      figures.push(
        atTorch({ id: `engine.torch.step.b${String(batch)}.l${String(length)}.ms`, label: `GPT-SoVITS PyTorch loop step, ${where}`, unit: 'ms', value: torchMs, note: about }),
        atTorch({
          id: `engine.step.b${String(batch)}.l${String(length)}.vs_torch`,
          label: `gsv-edge step / PyTorch step, ${where} (below 1: gsv-edge faster)`,
          unit: 'ratio',
          value: both ? edgeMs / torchMs : null,
          note: `gsv-edge's engine.t2s-steps against ${about}, same run`,
        }),
        atTorch({
          id: `engine.step.b${String(batch)}.l${String(length)}.speedup_vs_torch`,
          label: `speed-up over GPT-SoVITS's PyTorch loop, ${where}`,
          unit: 'ratio',
          value: both ? torchMs / edgeMs : null,
          note: `PyTorch step / gsv-edge step; ${about}`,
        }),
      );
    }
  }
  return figures;
}
