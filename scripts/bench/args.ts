/**
 * Command-line options of `npm run bench` (scripts/bench.ts). Hand-parsed because `--json` takes an optional path,
 * which node:util's parseArgs cannot express.
 * @module
 */

export const SUITES = ['bundle', 'engine', 'frontend', 'gateway', 'stack', 'versions'] as const;
export type SuiteName = (typeof SUITES)[number];

/** Where `--json` writes when it is given without a path. */
export const DEFAULT_JSON_PATH = 'bench-results.json';

export interface BenchOptions {
  /** Suites to run, always in the order of SUITES (later suites reuse what earlier ones built). */
  readonly suites: readonly SuiteName[];
  /** Fewer tokens and repetitions: a smoke test of the whole harness, not figures to quote. */
  readonly quick: boolean;
  /** Write the report as JSON here (relative to the current folder). */
  readonly json: string | undefined;
  /** Keep the model set and bundle here between runs; default: a temporary folder removed at the end. */
  readonly workDir: string | undefined;
  /** A genuine GPT-SoVITS stage-decoder export of the bench's own gpt.ckpt, timed beside the rebuilt one. */
  readonly officialExport: string | undefined;
  /**
   * A GPT-SoVITS checkout whose PyTorch T2S loop and SoVITS decode the engine suite times beside gsv-edge's decode
   * step and decoder (`--gpt-sovits-dir`, else GSV_GPT_SOVITS_DIR); without one those scenarios are skipped.
   */
  readonly gptSovitsDir: string | undefined;
  /** The Python (with torch) that runs it (`--python`, else GSV_BENCH_PYTHON, else `python3`). */
  readonly python: string;
  readonly help: boolean;
}

export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export const USAGE = `usage: npm run bench -- [--suite ${SUITES.join(',')}] [--quick] [--json [path]] [--work-dir DIR] [--official-export FILE]
                        [--gpt-sovits-dir DIR] [--python PATH]

  --suite LIST    comma-separated suites to run (default: all, in the order above)
  --quick         fewer tokens and repetitions (a smoke test; figures are not comparable with a full run)
  --json [path]   also write every figure as JSON (default path: ${DEFAULT_JSON_PATH})
  --work-dir DIR  keep the synthetic models and bundle in DIR and reuse them in later runs
  --official-export FILE
                  also time this *_t2s_sdec.onnx, written by GPT-SoVITS's onnx_export.py code from DIR/models/gpt.ckpt
                  (scripts/bench/official-export.py makes it), beside the rebuilt official decoder
  --gpt-sovits-dir DIR
                  a GPT-SoVITS checkout (default: $GSV_GPT_SOVITS_DIR): the engine suite times its PyTorch T2S loop
                  (infer_panel_batch_infer) beside gsv-edge's decode step and its SoVITS decode (SynthesizerTrn.decode)
                  beside gsv-edge's decoder; skipped without one or without torch
  --python PATH   the Python with torch that runs it (default: $GSV_BENCH_PYTHON, else python3)
  --help          this text`;

export function parseBenchArgs(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): BenchOptions {
  let gptSovitsDir = nonEmpty(env['GSV_GPT_SOVITS_DIR']);
  let python = nonEmpty(env['GSV_BENCH_PYTHON']) ?? 'python3';
  let suites: SuiteName[] = [...SUITES];
  let quick = false;
  let json: string | undefined;
  let workDir: string | undefined;
  let officialExport: string | undefined;
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = splitInline(argv[i] ?? '');
    const next = (): string | undefined => {
      if (inline !== undefined) return inline;
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) return undefined;
      i += 1;
      return value;
    };
    switch (flag) {
      case '--suite':
      case '--suites':
        suites = parseSuites(next());
        break;
      case '--quick':
        quick = true;
        break;
      case '--json':
        json = next() ?? DEFAULT_JSON_PATH;
        break;
      case '--work-dir': {
        const dir = next();
        if (dir === undefined || dir === '') throw new BenchUsageError('--work-dir needs a folder');
        workDir = dir;
        break;
      }
      case '--official-export': {
        const file = next();
        if (file === undefined || file === '') throw new BenchUsageError('--official-export needs an .onnx file');
        officialExport = file;
        break;
      }
      case '--gpt-sovits-dir': {
        const dir = next();
        if (dir === undefined || dir === '') throw new BenchUsageError('--gpt-sovits-dir needs a GPT-SoVITS checkout');
        gptSovitsDir = dir;
        break;
      }
      case '--python': {
        const path = next();
        if (path === undefined || path === '') throw new BenchUsageError('--python needs a Python executable');
        python = path;
        break;
      }
      case '--help':
      case '-h':
        help = true;
        break;
      default:
        throw new BenchUsageError(`unknown argument "${argv[i] ?? ''}"`);
    }
  }
  return { suites, quick, json, workDir, officialExport, gptSovitsDir, python, help };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function parseSuites(value: string | undefined): SuiteName[] {
  if (value === undefined || value === '') throw new BenchUsageError(`--suite needs a comma-separated list of ${SUITES.join(', ')}`);
  const wanted = new Set<SuiteName>();
  for (const name of value.split(',').map((part) => part.trim())) {
    if (!(SUITES as readonly string[]).includes(name)) throw new BenchUsageError(`--suite: unknown suite "${name}" (known: ${SUITES.join(', ')})`);
    wanted.add(name as SuiteName);
  }
  return SUITES.filter((name) => wanted.has(name));
}

/** `--flag=value` → [flag, value]; `--flag` → [flag, undefined]. */
function splitInline(arg: string): [string, string | undefined] {
  const at = arg.indexOf('=');
  return arg.startsWith('--') && at > 0 ? [arg.slice(0, at), arg.slice(at + 1)] : [arg, undefined];
}
