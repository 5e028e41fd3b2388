/**
 * `gsv-edge bundle` against bad checkpoints (bundle-files.ts), each run as its own process with a time limit while
 * its peak resident memory (VmHWM) is watched: every one must be refused with an `error:` line that names the file
 * and says what is wrong in words (not a bare JavaScript error), well inside the time and memory limits.
 * @module
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticModelSet } from '../../../gpu-function/src/synthetic/model-set.ts';
import { PROJECT_ROOT } from '../../stack/gateway-dev.ts';
import { progress, type SuiteReport } from '../report.ts';
import { writeBadCheckpoints, type BadCheckpoint } from './bundle-files.ts';

const BIN = join(PROJECT_ROOT, 'gpu-function', 'bin', 'gsv-edge.js');
/** A refusal reads a few bytes of each file: on a loaded two-core machine that still takes Node's start (~10 s). */
const TIME_LIMIT_MS = 90_000;
/** Node and the bundle command's modules take about 120 MB; a reader that inflates or expands a bomb takes far more. */
const PEAK_RSS_LIMIT = 512 * 1024 * 1024;
/** What a message reads like when an error escaped its reader: a JavaScript fault, not a reason. */
const UNCLEAR = /Maximum call stack|Cannot read propert|is not a function|is not iterable|undefined|RangeError|TypeError|Array buffer allocation|heap out of memory|Invalid (typed )?array length|out of memory/i;

interface BundleRun {
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly peakRss: number;
  readonly ms: number;
  readonly stderr: string;
}

function runBundle(args: readonly string[]): Promise<BundleRun> {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, 'bundle', ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' } });
    let stderr = '';
    let peakRss = 0;
    let timedOut = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4096);
    });
    const watch = setInterval(() => {
      if (child.pid === undefined) return;
      readFile(`/proc/${String(child.pid)}/status`, 'utf8').then(
        (status) => {
          const match = /^VmHWM:\s+(\d+)\s+kB$/m.exec(status);
          if (match !== null) peakRss = Math.max(peakRss, Number(match[1]) * 1024);
          if (peakRss > PEAK_RSS_LIMIT * 2) child.kill('SIGKILL');
        },
        () => undefined,
      );
    }, 20);
    const deadline = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, TIME_LIMIT_MS);
    child.on('exit', (exitCode, signal) => {
      clearInterval(watch);
      clearTimeout(deadline);
      resolve({ exitCode, signal, timedOut, peakRss, ms: performance.now() - started, stderr });
    });
  });
}

/** Null when the run refused the file as it should; otherwise what went wrong. */
function judge(bad: BadCheckpoint, run: BundleRun): string | null {
  const line = run.stderr.split('\n').find((candidate) => candidate.startsWith('error: ')) ?? '';
  if (run.timedOut) return `still running after ${String(TIME_LIMIT_MS / 1000)} s`;
  if (run.peakRss > PEAK_RSS_LIMIT) return `peak RSS ${(run.peakRss / 2 ** 20).toFixed(0)} MiB (limit ${String(PEAK_RSS_LIMIT / 2 ** 20)} MiB)`;
  if (run.exitCode === 0) return 'accepted the file';
  if (run.exitCode !== 1 || line === '') return `ended with ${String(run.exitCode ?? run.signal)} and no error line: ${run.stderr.slice(-600)}`;
  if (!line.includes(bad.path)) return `the error does not name the file: ${line.slice(0, 300)}`;
  if (UNCLEAR.test(line)) return `an unclear error: ${line.slice(0, 300)}`;
  return null;
}

/** Quick runs a few of each kind. */
const QUICK_CASES = /claims 4 GiB|tensor storage|billion laughs|nested|5 million|os\.system|truncated GPT checkpoint \(70/;

export async function runBundleBombs(report: SuiteReport, options: { quick: boolean }): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gsv-bad-bundles-'));
  try {
    const started = performance.now();
    const valid = await writeSyntheticModelSet(join(dir, 'valid'), { size: 'tiny', sovitsVersion: 'v2', bert: false, hubert: false, seed: 5 });
    await mkdir(join(dir, 'bad'));
    const cases = await writeBadCheckpoints(join(dir, 'bad'), valid.gpt, (name) => !options.quick || QUICK_CASES.test(name));
    progress(`bundle: ${String(cases.length)} bad checkpoints written in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const results: { bad: BadCheckpoint; run: BundleRun; problem: string | null }[] = [];
    // Two at a time: each is one process, its memory watched on its own.
    let next = 0;
    await Promise.all(
      [0, 1].map(async (worker) => {
        while (next < cases.length) {
          const bad = cases[next];
          next += 1;
          if (bad === undefined) return;
          const out = join(dir, 'out', `${String(worker)}-${String(next)}`);
          const run = await runBundle(['--gpt', bad.role === 'gpt' ? bad.path : valid.gpt, '--sovits', bad.role === 'sovits' ? bad.path : valid.sovits, '--out', out, '--precision', 'fp32']);
          const problem = judge(bad, run);
          results.push({ bad, run, problem });
          progress(`bundle ${problem === null ? 'ok  ' : 'FAIL'} ${bad.name}: ${(run.ms / 1000).toFixed(1)} s, peak ${(run.peakRss / 2 ** 20).toFixed(0)} MiB${problem === null ? '' : `: ${problem}`}`);
        }
      }),
    );
    for (const { bad, run, problem } of results) {
      const line = run.stderr.split('\n').find((candidate) => candidate.startsWith('error: ')) ?? '';
      const said = line.replace(bad.path, '<file>').slice(0, 240);
      report.check(`gsv-edge bundle refuses ${bad.name}`, problem === null, `${problem ?? said}; ${(run.ms / 1000).toFixed(1)} s, peak RSS ${(run.peakRss / 2 ** 20).toFixed(0)} MiB`);
    }
    report.figure('bundle: bad checkpoints', results.length);
    report.figure('bundle: peak RSS MiB (worst)', Math.round(Math.max(0, ...results.map(({ run }) => run.peakRss)) / 2 ** 20));
    report.figure('bundle: seconds (slowest)', Math.round(Math.max(0, ...results.map(({ run }) => run.ms)) / 100) / 10);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
