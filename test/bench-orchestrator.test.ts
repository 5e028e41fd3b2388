/**
 * `npm run bench`'s orchestrator without any real benchmark: its arguments, how targets are judged, the JSON report's
 * shape, reading the older benches' text output, and a scenario child that succeeds or fails.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResult, RESULT_MARKER } from '../gpu-function/bench/scenario-result.ts';
import { BenchUsageError, DEFAULT_JSON_PATH, parseBenchArgs, SUITES } from '../scripts/bench/args.ts';
import { runScenario, type ScenarioRecord, type ScenarioSpec } from '../scripts/bench/child.ts';
import { figure, formatValue } from '../scripts/bench/figures.ts';
import { parseFrontendOutput, parseGatewayOutput } from '../scripts/bench/parsers.ts';
import { buildReport, REPORT_SCHEMA } from '../scripts/bench/report.ts';
import { BenchRun } from '../scripts/bench/run-context.ts';
import { missSentence, stackFigures, stackLoadTable } from '../scripts/bench/suites/stack.ts';
import { engineThreads, probeTorchBaseline, runTorchSteps, torchFigures } from '../scripts/bench/suites/torch-baseline.ts';
import { edgeMsPerAudioSecond, runSovitsDecodes, SOVITS_BASELINE, sovitsDecodeFigures } from '../scripts/bench/suites/torch-sovits.ts';
import { runVersionsSuite, versionsTable } from '../scripts/bench/suites/versions.ts';

describe('bench arguments', () => {
  it('runs every suite at full length by default, without JSON', () => {
    expect(parseBenchArgs([], {})).toEqual({ suites: [...SUITES], quick: false, json: undefined, workDir: undefined, officialExport: undefined, gptSovitsDir: undefined, python: 'python3', help: false });
  });

  it('picks suites, always in dependency order, in either flag form', () => {
    expect(parseBenchArgs(['--suite', 'engine,bundle']).suites).toEqual(['bundle', 'engine']);
    expect(parseBenchArgs(['--suite=gateway']).suites).toEqual(['gateway']);
    expect(parseBenchArgs(['--suite', 'frontend,frontend', '--quick']).suites).toEqual(['frontend']);
  });

  it('takes an optional path after --json', () => {
    expect(parseBenchArgs(['--json']).json).toBe(DEFAULT_JSON_PATH);
    expect(parseBenchArgs(['--json', 'out/run.json']).json).toBe('out/run.json');
    expect(parseBenchArgs(['--json', '--quick'])).toMatchObject({ json: DEFAULT_JSON_PATH, quick: true });
    expect(parseBenchArgs(['--json=run.json', '--work-dir', '/tmp/w'])).toMatchObject({ json: 'run.json', workDir: '/tmp/w' });
  });

  it('takes a genuine GPT-SoVITS decoder export to time beside the rebuilt one', () => {
    expect(parseBenchArgs(['--official-export', 'w/sdec.onnx', '--suite', 'engine'])).toMatchObject({ officialExport: 'w/sdec.onnx', suites: ['engine'] });
    expect(() => parseBenchArgs(['--official-export', '--quick'])).toThrow(/--official-export needs an .onnx file/);
    // The PyTorch baseline: flags win over GSV_GPT_SOVITS_DIR / GSV_BENCH_PYTHON.
    const env = { GSV_GPT_SOVITS_DIR: '/env/gsv', GSV_BENCH_PYTHON: '/env/python' };
    expect(parseBenchArgs([], env)).toMatchObject({ gptSovitsDir: '/env/gsv', python: '/env/python' });
    expect(parseBenchArgs(['--gpt-sovits-dir', '/opt/GPT-SoVITS', '--python=/venv/bin/python'], env)).toMatchObject({ gptSovitsDir: '/opt/GPT-SoVITS', python: '/venv/bin/python' });
    expect(() => parseBenchArgs(['--gpt-sovits-dir', '--quick'], {})).toThrow(/--gpt-sovits-dir needs a GPT-SoVITS checkout/);
  });

  it('refuses unknown suites and arguments, naming them', () => {
    expect(() => parseBenchArgs(['--suite', 'engine,gpu'])).toThrow(/unknown suite "gpu"/);
    expect(() => parseBenchArgs(['--suite'])).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(['--fast'])).toThrow(/unknown argument "--fast"/);
    expect(() => parseBenchArgs(['--work-dir'])).toThrow(/--work-dir needs a folder/);
  });
});

describe('figures', () => {
  const base = { id: 'x.y', suite: 'x', scenario: 'x.run', label: 'y', unit: 's' } as const;

  it('judges a target only when there is a value', () => {
    expect(figure({ ...base, value: 90, target: { op: '<', value: 120, text: '< 2 min' } }).status).toBe('pass');
    expect(figure({ ...base, value: 120, target: { op: '<', value: 120, text: '< 2 min' } }).status).toBe('fail');
    expect(figure({ ...base, value: 8, target: { op: '>=', value: 8, text: '≥ 8×' } }).status).toBe('pass');
    expect(figure({ ...base, value: 3 }).status).toBe('info');
    expect(figure({ ...base, value: null, target: { op: '<', value: 1, text: '< 1' } })).toMatchObject({ status: 'missing', value: null });
    expect(figure({ ...base, value: Number.NaN }).status).toBe('missing');
  });

  it('formats values for people', () => {
    expect(formatValue(3_550_000_000, 'bytes')).toBe('3.55 GB');
    expect(formatValue(0.052, 'share')).toBe('5.2 %');
    expect(formatValue(5.41, 'ratio')).toBe('5.41×');
    expect(formatValue(null, 'ms')).toBe('—');
  });
});

describe('the JSON report', () => {
  it('holds options, machine, scenarios, figures and counts under documented names', () => {
    const scenario: ScenarioRecord = {
      id: 'bundle.build',
      suite: 'bundle',
      label: 'build',
      command: ['node', 'build.ts'],
      status: 'ok',
      exit_code: 0,
      signal: null,
      wall_seconds: 21,
      peak_rss_bytes: 3e8,
      error: null,
      notes: [],
      metrics: { seconds: 19.8 },
    };
    const figures = [
      figure({ id: 'bundle.build_seconds', suite: 'bundle', scenario: 'bundle.build', label: 'build', unit: 's', value: 19.8, target: { op: '<', value: 120, text: '< 2 min' } }),
      figure({ id: 'bundle.fp32_bytes', suite: 'bundle', scenario: 'bundle.build', label: 'fp32', unit: 'bytes', value: null }),
    ];
    const report = buildReport({
      options: parseBenchArgs(['--suite', 'bundle', '--json'], {}),
      command: 'node scripts/bench.ts --suite bundle --json',
      startedAt: new Date('2026-11-25T12:00:00Z'),
      finishedAt: new Date('2026-11-25T12:01:00Z'),
      workDir: '/tmp/w',
      machine: { cpu_model: 'AMD EPYC', cpus: 2, memory_bytes: 24e9, node: 'v22.23.3', platform: 'linux x64', load_average: [1, 2, 3] },
      scenarios: [scenario],
      figures,
    });
    const json = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['schema', 'command', 'started_at', 'finished_at', 'options', 'machine', 'scenarios', 'figures', 'summary']);
    expect(json['schema']).toBe(REPORT_SCHEMA);
    expect(json['options']).toEqual({ suites: ['bundle'], quick: false, work_dir: '/tmp/w', work_dir_kept: false, official_export: null, gpt_sovits_dir: null, python: 'python3' });
    expect(Object.keys((json['figures'] as object[])[0] ?? {})).toEqual(['id', 'suite', 'scenario', 'label', 'unit', 'value', 'target', 'status', 'note']);
    expect(Object.keys((json['scenarios'] as object[])[0] ?? {}).sort()).toEqual(
      ['command', 'error', 'exit_code', 'id', 'label', 'metrics', 'notes', 'peak_rss_bytes', 'signal', 'status', 'suite', 'wall_seconds'].sort(),
    );
    expect(json['summary']).toEqual({ figures: { pass: 1, fail: 0, info: 0, missing: 1 }, scenarios: { ok: 1, failed: 0, skipped: 0 } });
  });
});

describe('reading scenario output', () => {
  it('takes the last result line and keeps only finite numbers', () => {
    const stdout = `progress\n${RESULT_MARKER}{"metrics":{"a":1},"notes":[]}\n${RESULT_MARKER}{"metrics":{"a":2,"b":"x","c":null},"notes":["n",3]}\n`;
    expect(parseResult(stdout)).toEqual({ metrics: { a: 2, b: null, c: null }, notes: ['n'] });
    expect(parseResult('no result here')).toBeUndefined();
    expect(parseResult(`${RESULT_MARKER}{not json`)).toBeUndefined();
  });

  it("reads the frontend bench's lines", () => {
    const stdout = [
      'machine: AMD EPYC × 2, node v22.23.3',
      "first call (loads jieba's dictionary and pinyin data): 176 ms",
      'zh g2p, 475 fixture sentences one by one (5247 chars): 68,861 chars/s (66 rounds in 5.0 s)',
      'zh g2p, the fixture as one 5247-char text: 72,974 chars/s (70 rounds in 5.0 s)',
      'BERT: synthetic 1024-wide, 5 layers (3 computed), 1 ORT thread(s), built in 4.4 s',
      'BERT one call per segment: 8 segments (130 tokens) in 188 ms, 8 runner call(s)',
      'BERT one batched call: 8 segments (130 tokens) in 189 ms, 1 runner call(s)',
    ].join('\n');
    expect(parseFrontendOutput(stdout)?.metrics).toEqual({
      first_call_ms: 176,
      corpus_chars: 5247,
      zh_g2p_chars_per_s: 68861,
      zh_g2p_long_chars_per_s: 72974,
      bert_layers: 5,
      bert_segments: 8,
      bert_tokens: 130,
      bert_per_segment_ms: 188,
      bert_per_segment_calls: 8,
      bert_batched_ms: 189,
      bert_batched_calls: 1,
    });
    expect(parseFrontendOutput('nothing')).toBeUndefined();
  });

  it("reads the gateway bench's table", () => {
    const stdout = [
      'Gateway cached-phrase benchmark: 49964-byte WAV phrase; 2 CPUs (AMD EPYC)',
      '| route | concurrency | requests | errors | requests/s | p50 ms | p99 ms |',
      '|---|---:|---:|---:|---:|---:|---:|',
      '| POST /v1/tts (HIT) | 8 | 413 | 0 | 41 | 196.5 | 367.8 |',
      '| GET /healthz | 8 | 3341 | 2 | 334 | 21.8 | NaN |',
    ].join('\n');
    expect(parseGatewayOutput(stdout)?.metrics).toEqual({
      hit_c8_requests: 413,
      hit_c8_errors: 0,
      hit_c8_requests_per_s: 41,
      hit_c8_p50_ms: 196.5,
      hit_c8_p99_ms: 367.8,
      healthz_c8_requests: 3341,
      healthz_c8_errors: 2,
      healthz_c8_requests_per_s: 334,
      healthz_c8_p50_ms: 21.8,
      healthz_c8_p99_ms: null,
      phrase_bytes: 49964,
    });
  });
});

describe('the stack suite (end to end)', () => {
  it('is picked like any other suite, and runs after the others', () => {
    expect(parseBenchArgs(['--suite', 'stack,gateway']).suites).toEqual(['gateway', 'stack']);
  });

  it('names its figures by cache, concurrency and measure, and judges the event-loop delay', () => {
    const metrics = { miss_c16_rps: 8.4, miss_c16_ttfb_p99_ms: 2166.6, hit_c1_total_p50_ms: 22.2, gpu_event_loop_delay_p99_ms: 12.5 };
    const figures = stackFigures({ id: 'stack.tts', metrics });
    const byId = new Map(figures.map((f) => [f.id, f]));
    expect(byId.get('stack.miss.c16.rps')).toMatchObject({ value: 8.4, unit: 'requests/s', status: 'info', scenario: 'stack.tts' });
    expect(byId.get('stack.miss.c16.ttfb_p99_ms')).toMatchObject({ value: 2166.6, unit: 'ms' });
    expect(byId.get('stack.hit.c1.total_p50_ms')?.value).toBe(22.2);
    expect(byId.get('stack.hit.c4.not_hit')?.status).toBe('missing');
    expect(byId.get('stack.gpu_event_loop_delay_p99_ms')).toMatchObject({ status: 'pass', target: { op: '<=', value: 20 } });
    expect(stackFigures({ id: 'stack.tts', metrics: { gpu_event_loop_delay_p99_ms: 34.6 } }).find((f) => f.id === 'stack.gpu_event_loop_delay_p99_ms')?.status).toBe('fail');
    expect(figures.filter((f) => f.target !== null)).toHaveLength(1);
  });

  it('prints one load-table row per cache and concurrency, with a dash where a figure is missing', () => {
    const lines = stackLoadTable(stackFigures({ id: 'stack.tts', metrics: { miss_c1_requests: 96, miss_c1_errors: 0, miss_c1_rps: 5.43 } })).split('\n');
    expect(lines).toHaveLength(2 + 6);
    expect(lines[0]).toMatch(/route .*cache .*concurrency .*requests .*errors .*requests\/s .*TTFB p50 ms .*TTFB p99 ms .*total p50 ms .*total p99 ms/);
    expect(lines[2]?.split('|').map((cell) => cell.trim())).toEqual(['', 'POST /v1/tts (stream, wav)', 'MISS', '1', '96', '0', '5.4', '—', '—', '—', '—', '']);
    expect(lines[7]).toContain('| HIT ');
  });

  it('makes a different eight-word sentence for every miss', () => {
    const sentences = Array.from({ length: 5000 }, (_, n) => missSentence(n));
    expect(new Set(sentences).size).toBe(5000);
    for (const sentence of sentences.slice(0, 50)) expect(sentence.split(' ')).toHaveLength(8);
  });
});

/** A bench run whose scenarios are not run: each answers with made-up metrics, and every spec is kept. */
class FakeRun extends BenchRun {
  readonly specs: ScenarioSpec[] = [];
  readonly #metrics: (spec: ScenarioSpec) => Record<string, number>;

  constructor(quick: boolean, metrics: (spec: ScenarioSpec) => Record<string, number>) {
    super({ ...parseBenchArgs(['--suite', 'versions']), quick }, '/work');
    this.#metrics = metrics;
  }

  override run(spec: ScenarioSpec): Promise<ScenarioRecord> {
    this.specs.push(spec);
    const record: ScenarioRecord = {
      id: spec.id, suite: spec.suite, label: spec.label, command: [spec.script, ...spec.args], status: 'ok', exit_code: 0, signal: null,
      wall_seconds: 1, peak_rss_bytes: 2e9, error: null, notes: [], metrics: this.#metrics(spec),
    };
    this.scenarios.push(record);
    return Promise.resolve(record);
  }

  override ensureFp32Bundle(): Promise<string | undefined> {
    return Promise.resolve('/work/bundles/full-v2');
  }
}

describe('the versions suite', () => {
  // Real-time factor by scenario: v2 at 100 tokens 0.5, at 40 tokens 0.8; v4 16 at c1, 4 at c8; the others 1.
  const rtf = (id: string): number => ({ 'versions.v2-c1': 0.5, 'versions.v2-t40-c1': 0.8, 'versions.v2-t40-c8': 0.8, 'versions.v4-c1': 16, 'versions.v4-c8': 4 })[id] ?? 1;
  const metrics = (spec: ScenarioSpec): Record<string, number> =>
    spec.script.endsWith('realtime.ts')
      ? { realtime_factor: rtf(spec.id), audio_seconds: 1.6, voice_seconds: 3 }
      : spec.script.endsWith('cfm-step-batch.ts')
        ? { b1_step_ms: 3000, b8_step_ms: 19_200, b8_per_row_ratio: 0.8 }
        : { seconds: 150, bytes_fp32: 3.5e9 };

  it('runs v4 and v3 with few CFM steps and tokens, against v2 at the same token cap, and times one v4 step at batch 1 and 8', async () => {
    const run = new FakeRun(false, metrics);
    const figures = await runVersionsSuite(run);
    const byId = new Map(figures.map((f) => [f.id, f]));
    const v4c8 = run.specs.find((spec) => spec.id === 'versions.v4-c8');
    expect(v4c8?.args).toEqual(expect.arrayContaining(['--tokens', '40', '--sample-steps', '8', '--concurrency', '8', '--bundle', '/work/bundles/full-v4']));
    expect(v4c8?.label).toContain('40 tokens, 8 CFM steps');
    expect(run.specs.find((spec) => spec.id === 'versions.v3-models')?.args).toEqual(['--dir', '/work/models-v3', '--version', 'v3']);
    expect(run.specs.find((spec) => spec.id === 'versions.v2-t40-c1')?.args).toEqual(expect.arrayContaining(['--tokens', '40']));
    expect(run.specs.find((spec) => spec.id === 'versions.v2-c1')?.args).not.toContain('--sample-steps');
    expect(run.specs.find((spec) => spec.id === 'versions.v4-cfm-step')?.args).toEqual(['--bundle', '/work/bundles/full-v4', '--batches', '1,8', '--frames', '900', '--prompt', '500', '--runs', '2']);
    expect(byId.get('versions.v4.c1.rtf_vs_v2')?.value).toBeCloseTo(20);
    expect(byId.get('versions.v4.c8.rtf_vs_v2')?.value).toBeCloseTo(5);
    expect(byId.get('versions.v2Pro.c1.rtf_vs_v2')?.value).toBeCloseTo(2);
    expect(byId.get('versions.v4.build_seconds')).toMatchObject({ status: 'fail', target: { text: '< 2 min' } });
    expect(byId.get('versions.v3.build_peak_rss_bytes')).toMatchObject({ status: 'pass', value: 2e9 });
    expect(byId.get('versions.v4.cfm_step.b8_ms')).toMatchObject({ value: 19_200, unit: 'ms' });
    expect(byId.get('versions.v4.cfm_step.b8_per_row_ratio')?.value).toBe(0.8);

    const lines = versionsTable(figures).split('\n');
    expect(lines[0]).toMatch(/version .*tokens .*CFM steps .*voice s .*RTF c1 .*vs v2 c1 .*RTF c8 .*vs v2 c8/);
    const cells = (key: string): string[] | undefined => lines.find((line) => line.startsWith(`| ${key} `))?.split('|').map((cell) => cell.trim()).slice(1, -1);
    expect(lines).toHaveLength(2 + 6);
    expect(cells('v2')).toEqual(['v2', '100', '—', '3.0', '0.50', '1.00', '1.00', '1.00']);
    expect(cells('v2-t40')).toEqual(['v2-t40', '40', '—', '3.0', '0.80', '1.00', '0.80', '1.00']);
    expect(cells('v4')).toEqual(['v4', '40', '8', '3.0', '16.00', '20.00', '4.00', '5.00']);
    expect(cells('v3')?.slice(1, 3)).toEqual(['40', '8']);
  });

  it('keeps --quick short: fewer steps and frames, and no extra v2 run when the token caps agree', async () => {
    const run = new FakeRun(true, metrics);
    await runVersionsSuite(run);
    expect(run.specs.find((spec) => spec.id === 'versions.v4-c1')?.args).toEqual(expect.arrayContaining(['--tokens', '24', '--sample-steps', '4']));
    expect(run.specs.some((spec) => spec.id.startsWith('versions.v2-t'))).toBe(false);
    expect(run.specs.find((spec) => spec.id === 'versions.v4-cfm-step')?.args).toEqual(expect.arrayContaining(['--frames', '300', '--runs', '1']));
  });
});

describe('scenario children', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bench-child-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const spec = (name: string) => ({ id: `test.${name}`, suite: 'test', label: name, script: join(dir, `${name}.ts`), args: ['--x'], timeoutSeconds: 30 });

  it('records a child that reports: its metrics, notes and peak RSS', async () => {
    const emitter = new URL('../gpu-function/bench/scenario-result.ts', import.meta.url).href;
    await writeFile(join(dir, 'ok.ts'), `import { emitResult } from ${JSON.stringify(emitter)};\nemitResult({ metrics: { answer: 42 }, notes: [process.argv[2] ?? ''] });\n`);
    const record = await runScenario(spec('ok'), dir);
    expect(record).toMatchObject({ status: 'ok', exit_code: 0, error: null, metrics: { answer: 42 }, notes: ['--x'] });
    expect(record.peak_rss_bytes).toBeGreaterThan(1e6);
  });

  it('records a child that crashes as failed, with its last words, instead of stopping the run', async () => {
    await writeFile(join(dir, 'crash.ts'), `console.error('wrangler could not start');\nprocess.exit(3);\n`);
    const record = await runScenario(spec('crash'), dir);
    expect(record).toMatchObject({ status: 'failed', exit_code: 3, metrics: {} });
    expect(record.error).toContain('exited with code 3');
    expect(record.error).toContain('wrangler could not start');
  });

  it('records a child that exits cleanly without a result as failed', async () => {
    await writeFile(join(dir, 'silent.ts'), `console.log('done');\n`);
    expect(await runScenario(spec('silent'), dir)).toMatchObject({ status: 'failed', error: 'printed no result' });
  });
});

describe("the engine suite's PyTorch baseline", () => {
  it('is skipped with a reason when no checkout or no Python with torch is there', async () => {
    const none = probeTorchBaseline(undefined, 'python3');
    expect(none).toMatchObject({ ready: false, reason: expect.stringMatching(/--gpt-sovits-dir DIR or GSV_GPT_SOVITS_DIR/) as unknown });
    const empty = await mkdtemp(join(tmpdir(), 'gsv-no-checkout-'));
    try {
      expect(probeTorchBaseline(empty, 'python3')).toMatchObject({ ready: false, reason: expect.stringMatching(/is not a GPT-SoVITS checkout/) as unknown });
      await mkdir(join(empty, 'GPT_SoVITS', 'AR', 'models'), { recursive: true });
      await writeFile(join(empty, 'GPT_SoVITS', 'AR', 'models', 't2s_model.py'), '');
      expect(probeTorchBaseline(empty, join(empty, 'no-such-python'))).toMatchObject({ ready: false, reason: expect.stringMatching(/no Python at/) as unknown });
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('records the scenario as skipped, not failed, and runs nothing', async () => {
    const run = new BenchRun(parseBenchArgs(['--suite', 'engine'], {}), '/work');
    const { record, torchVersion } = await runTorchSteps(run, true, [1, 16], [150]);
    expect(record).toMatchObject({ id: 'engine.torch-steps', status: 'skipped', error: expect.stringMatching(/no GPT-SoVITS checkout given/) as unknown });
    expect(torchVersion).toBeNull();
    expect(run.scenarios).toEqual([record]);
    expect(torchFigures(record, null, record, [1], [150]).every((entry) => entry.status === 'missing')).toBe(true);
  });

  it('uses the engine thread count: ORT_THREADS when set', () => {
    expect(engineThreads({ ORT_THREADS: '3' })).toBe(3);
    expect(engineThreads({})).toBeGreaterThan(0);
  });

  it('states every ratio against the PyTorch step, and none where a side is missing', () => {
    const record = (id: string, metrics: Record<string, number | null>): ScenarioRecord => ({
      id, suite: 'engine', label: id, command: [], status: 'ok', exit_code: 0, signal: null, wall_seconds: 1, peak_rss_bytes: null, error: null, notes: [], metrics,
    });
    const torch = record('engine.torch-steps', { b1_l150_step_ms: 25, b16_l150_step_ms: 120, torch_threads: 2 });
    const steps = record('engine.t2s-steps', { b1_l150_step_ms: 20, b16_l150_step_ms: 60 });
    const figures = new Map(torchFigures(torch, '2.13.0+cpu', steps, [1, 16], [150, 500]).map((entry) => [entry.id, entry]));
    expect(figures.get('engine.torch.step.b1.l150.ms')).toMatchObject({ value: 25, unit: 'ms', status: 'info', scenario: 'engine.torch-steps' });
    expect(figures.get('engine.torch.step.b1.l150.ms')?.note).toContain('torch 2.13.0+cpu');
    expect(figures.get('engine.step.b1.l150.vs_torch')?.value).toBeCloseTo(0.8);
    expect(figures.get('engine.step.b16.l150.vs_torch')?.value).toBeCloseTo(0.5);
    expect(figures.get('engine.step.b16.l150.speedup_vs_torch')?.value).toBeCloseTo(2);
    expect(figures.get('engine.step.b1.l500.vs_torch')).toMatchObject({ value: null, status: 'missing' });
    expect(figures.size).toBe(2 * 2 * 3);
  });
});

describe("the engine suite's SoVITS decode against GPT-SoVITS's PyTorch one", () => {
  const record = (id: string, metrics: Record<string, number | null>): ScenarioRecord => ({
    id, suite: 'engine', label: id, command: [], status: 'ok', exit_code: 0, signal: null, wall_seconds: 1, peak_rss_bytes: null, error: null, notes: [], metrics,
  });

  it('needs module/models.py in the checkout, and says which baseline a missing checkout leaves out', async () => {
    expect(probeTorchBaseline(undefined, 'python3', SOVITS_BASELINE)).toMatchObject({ ready: false, reason: expect.stringMatching(/its PyTorch SoVITS decode was not timed/) as unknown });
    const t2sOnly = await mkdtemp(join(tmpdir(), 'gsv-t2s-only-'));
    try {
      // A checkout with the T2S package but not the SoVITS module is not enough for this baseline.
      await mkdir(join(t2sOnly, 'GPT_SoVITS', 'AR', 'models'), { recursive: true });
      await writeFile(join(t2sOnly, 'GPT_SoVITS', 'AR', 'models', 't2s_model.py'), '');
      expect(probeTorchBaseline(t2sOnly, 'python3', SOVITS_BASELINE)).toMatchObject({ ready: false, reason: expect.stringMatching(/no GPT_SoVITS\/module\/models\.py/) as unknown });
      await mkdir(join(t2sOnly, 'GPT_SoVITS', 'module'), { recursive: true });
      await writeFile(join(t2sOnly, 'GPT_SoVITS', 'module', 'models.py'), '');
      expect(probeTorchBaseline(t2sOnly, join(t2sOnly, 'no-such-python'), SOVITS_BASELINE)).toMatchObject({ ready: false, reason: expect.stringMatching(/no Python at/) as unknown });
    } finally {
      await rm(t2sOnly, { recursive: true, force: true });
    }
  });

  it('records both sides as skipped, each with its reason, and runs nothing', async () => {
    const run = new BenchRun(parseBenchArgs(['--suite', 'engine'], {}), '/work');
    const { points, torchVersion } = await runSovitsDecodes(run, undefined, true, [40, 100]);
    expect(torchVersion).toBeNull();
    expect(points.map((point) => [point.edge.id, point.torch.id])).toEqual([
      ['engine.vocoder-t40', 'engine.torch-sovits-t40'],
      ['engine.vocoder-t100', 'engine.torch-sovits-t100'],
    ]);
    for (const { edge, torch } of points) {
      expect(edge).toMatchObject({ status: 'skipped', error: 'no fp32 bundle could be built' });
      expect(torch).toMatchObject({ status: 'skipped', error: expect.stringMatching(/no GPT-SoVITS checkout given .*its PyTorch SoVITS decode/) as unknown });
    }
    // gsv-edge then PyTorch, per token count: each ratio's two sides run back to back.
    expect(run.scenarios.map((entry) => entry.id)).toEqual(['engine.vocoder-t40', 'engine.torch-sovits-t40', 'engine.vocoder-t100', 'engine.torch-sovits-t100']);
    const figures = sovitsDecodeFigures(points, torchVersion);
    expect(figures).toHaveLength(2 * 6);
    expect(figures.every((entry) => entry.status === 'missing' && entry.value === null)).toBe(true);
  });

  it("reads both scripts' results as ms per audio second and states every ratio, none where a side is missing", () => {
    // vocoder-batch.ts at batch 1: a 40-token item (1.6 s) in 400 ms; the PyTorch script's own per-second figures.
    const edge = record('engine.vocoder-t40', { tokens: 40, audio_seconds_per_item: 1.6, runs: 5, b1_call_ms: 400, b1_item_ms: 400 });
    const torch = record('engine.torch-sovits-t40', { t40_decode_ms: 800, t40_ref_enc_ms: 80, t40_audio_seconds: 1.6, t40_ms_per_audio_second: 500, t40_ms_per_audio_second_without_ref_enc: 450, torch_threads: 2 });
    expect(edgeMsPerAudioSecond(edge)).toBeCloseTo(250);
    const skipped: ScenarioRecord = { ...record('engine.torch-sovits-t100', {}), status: 'skipped', exit_code: null, error: 'no torch' };
    const points = [
      { tokens: 40, edge, torch },
      { tokens: 100, edge: record('engine.vocoder-t100', { audio_seconds_per_item: 4, b1_item_ms: 1000 }), torch: skipped },
    ];
    const figures = new Map(sovitsDecodeFigures(points, '2.13.0+cpu').map((entry) => [entry.id, entry]));
    expect(figures.get('engine.vocoder.t40.ms_per_audio_second')).toMatchObject({ value: 250, unit: 'ms', status: 'info', scenario: 'engine.vocoder-t40' });
    expect(figures.get('engine.torch.sovits_decode.t40.ms_per_audio_second')).toMatchObject({ value: 500, status: 'info', scenario: 'engine.torch-sovits-t40' });
    expect(figures.get('engine.torch.sovits_decode.t40.ms_per_audio_second')?.note).toContain('torch 2.13.0+cpu');
    expect(figures.get('engine.torch.sovits_decode.t40.ms_per_audio_second_without_ref_enc')?.value).toBe(450);
    expect(figures.get('engine.vocoder.t40.vs_torch')?.value).toBeCloseTo(0.5);
    expect(figures.get('engine.vocoder.t40.speedup_vs_torch')?.value).toBeCloseTo(2);
    expect(figures.get('engine.vocoder.t40.speedup_vs_torch_without_ref_enc')?.value).toBeCloseTo(1.8);
    // gsv-edge's own figure stands without torch; the PyTorch figures and the ratios are missing, never 0.
    expect(figures.get('engine.vocoder.t100.ms_per_audio_second')?.value).toBeCloseTo(250);
    for (const id of ['engine.torch.sovits_decode.t100.ms_per_audio_second', 'engine.vocoder.t100.vs_torch', 'engine.vocoder.t100.speedup_vs_torch', 'engine.vocoder.t100.speedup_vs_torch_without_ref_enc']) {
      expect(figures.get(id)).toMatchObject({ value: null, status: 'missing' });
    }
    expect(edgeMsPerAudioSecond(record('engine.vocoder-t40', { b1_item_ms: 400 }))).toBeNull();
  });
});
