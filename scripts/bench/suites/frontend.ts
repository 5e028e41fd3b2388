/**
 * Suite `frontend` (issue 5): runs the frontend's own benchmark (`npm run bench:frontend`,
 * gpu-function/bench/zh-frontend.ts) and folds its figures in. Targets: ≥ 1000 characters/s of Mandarin text
 * through the frontend without BERT; all of a request's Mandarin segments in one BERT call. Issue 15: the Japanese
 * MeCab analyser on the real OpenJTalk dictionary (gpu-function/bench/ja-mecab.ts; skipped without the dictionary):
 * ≥ 1000 characters/s on one core, the dictionary loaded at start-up in < 2 s.
 * @module
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { figure, type Figure } from '../figures.ts';
import { parseFrontendOutput } from '../parsers.ts';
import { TIMEOUT_SECONDS, type BenchRun } from '../run-context.ts';

export async function runFrontendSuite(run: BenchRun): Promise<Figure[]> {
  const record = await run.run({
    id: 'frontend.zh',
    suite: 'frontend',
    label: 'npm run bench:frontend (Mandarin g2p throughput, BERT batching)',
    script: 'gpu-function/bench/zh-frontend.ts',
    args: run.options.quick ? ['--seconds', '1', '--bert-layers', '3'] : [],
    timeoutSeconds: TIMEOUT_SECONDS.short,
    parse: parseFrontendOutput,
  });
  return [...zhFigures(record), ...(await runJaMecab(run))];
}

function zhFigures(record: Awaited<ReturnType<BenchRun['run']>>): Figure[] {
  const m = record.metrics;
  const base = { suite: 'frontend', scenario: record.id } as const;
  const perSegment = m['bert_per_segment_ms'];
  const batched = m['bert_batched_ms'];
  return [
    figure({ ...base, id: 'frontend.zh_g2p_chars_per_s', label: 'zh g2p, sentence by sentence, no BERT', unit: 'chars/s', value: m['zh_g2p_chars_per_s'], target: { op: '>=', value: 1000, text: '≥ 1000 chars/s' } }),
    figure({ ...base, id: 'frontend.zh_g2p_long_chars_per_s', label: 'zh g2p, the corpus as one text', unit: 'chars/s', value: m['zh_g2p_long_chars_per_s'] }),
    figure({ ...base, id: 'frontend.first_call_ms', label: 'first call (loads dictionaries)', unit: 'ms', value: m['first_call_ms'] }),
    figure({ ...base, id: 'frontend.bert_batched_calls', label: 'BERT calls for a request’s segments, batched', unit: 'count', value: m['bert_batched_calls'], target: { op: '<=', value: 1, text: 'one call per request' } }),
    figure({ ...base, id: 'frontend.bert_per_segment_ms', label: 'BERT, one call per segment', unit: 'ms', value: perSegment }),
    figure({ ...base, id: 'frontend.bert_batched_ms', label: 'BERT, one batched call', unit: 'ms', value: batched }),
    figure({
      ...base,
      id: 'frontend.bert_batching_speedup',
      label: 'BERT per-segment time / batched time',
      unit: 'ratio',
      value: perSegment === undefined || perSegment === null || batched === undefined || batched === null || batched === 0 ? null : perSegment / batched,
    }),
  ];
}

const JA_DIC = process.env['GSV_JA_DIC'] ?? '/var/lib/mecab/dic/open-jtalk/naist-jdic';

async function runJaMecab(run: BenchRun): Promise<Figure[]> {
  const record = await run.runIf(
    existsSync(join(JA_DIC, 'sys.dic')),
    {
      id: 'frontend.ja_mecab',
      suite: 'frontend',
      label: 'Japanese MeCab analysis on the OpenJTalk NAIST-JDIC (throughput, dictionary load)',
      script: 'gpu-function/bench/ja-mecab.ts',
      args: ['--dic', JA_DIC, ...(run.options.quick ? ['--seconds', '1'] : [])],
      timeoutSeconds: TIMEOUT_SECONDS.short,
    },
    `no OpenJTalk NAIST-JDIC at ${JA_DIC} (apt-get install open-jtalk-mecab-naist-jdic, or set GSV_JA_DIC)`,
  );
  const m = record.metrics;
  const base = { suite: 'frontend', scenario: record.id } as const;
  return [
    figure({ ...base, id: 'frontend.ja_mecab_chars_per_s', label: 'ja MeCab analysis, sentence by sentence', unit: 'chars/s', value: m['chars_per_s'], target: { op: '>=', value: 1000, text: '≥ 1000 chars/s' } }),
    figure({ ...base, id: 'frontend.ja_mecab_long_chars_per_s', label: 'ja MeCab analysis, the corpus as one text', unit: 'chars/s', value: m['long_chars_per_s'] }),
    figure({ ...base, id: 'frontend.ja_dic_load_ms', label: 'ja dictionary load (read + check)', unit: 'ms', value: m['dic_load_ms'] }),
    figure({ ...base, id: 'frontend.ja_dic_startup_ms', label: 'ja dictionary at bundle start-up (SHA-256 + read + check)', unit: 'ms', value: m['startup_ms'], target: { op: '<', value: 2000, text: '< 2 s' } }),
    // The CPU time of the same load: on a shared machine the wall time above also counts waiting for a core.
    figure({ ...base, id: 'frontend.ja_dic_startup_cpu_ms', label: 'ja dictionary at bundle start-up, CPU time', unit: 'ms', value: m['startup_cpu_ms'] }),
  ];
}
