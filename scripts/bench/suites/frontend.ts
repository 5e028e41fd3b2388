/**
 * Suite `frontend` (issue 5): runs the frontend's own benchmark (`npm run bench:frontend`,
 * gpu-function/bench/zh-frontend.ts) and folds its figures in. Targets: ≥ 1000 characters/s of Mandarin text
 * through the frontend without BERT; all of a request's Mandarin segments in one BERT call. Issue 15, on the real
 * OpenJTalk dictionary (skipped without it): the whole Japanese frontend, text → phones
 * (gpu-function/bench/ja-frontend.ts), ≥ 1000 characters/s on one core with the dictionary loaded at start-up in
 * < 2 s; and its first stage alone, the MeCab analyser (gpu-function/bench/ja-mecab.ts), for comparison.
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
  return [...zhFigures(record), ...(await runJaFrontend(run)), ...(await runJaMecab(run))];
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
const NO_JA_DIC = `no OpenJTalk NAIST-JDIC at ${JA_DIC} (apt-get install open-jtalk-mecab-naist-jdic, or set GSV_JA_DIC)`;

async function runJaFrontend(run: BenchRun): Promise<Figure[]> {
  const record = await run.runIf(
    existsSync(join(JA_DIC, 'sys.dic')),
    {
      id: 'frontend.ja',
      suite: 'frontend',
      label: 'Japanese frontend, text → phones on the OpenJTalk NAIST-JDIC (throughput, dictionary at start-up)',
      script: 'gpu-function/bench/ja-frontend.ts',
      args: ['--dic', JA_DIC, ...(run.options.quick ? ['--seconds', '1'] : [])],
      timeoutSeconds: TIMEOUT_SECONDS.short,
    },
    NO_JA_DIC,
  );
  const m = record.metrics;
  const base = { suite: 'frontend', scenario: record.id } as const;
  return [
    figure({ ...base, id: 'frontend.ja_chars_per_s', label: 'ja text → phones, sentence by sentence', unit: 'chars/s', value: m['chars_per_s'], target: { op: '>=', value: 1000, text: '≥ 1000 chars/s' } }),
    // Per CPU-second: on a shared machine the wall-time rate also counts waiting for a core.
    figure({ ...base, id: 'frontend.ja_chars_per_cpu_s', label: 'ja text → phones, per CPU-second', unit: 'chars/s', value: m['chars_per_cpu_s'] }),
    figure({ ...base, id: 'frontend.ja_wiki_chars_per_s', label: 'ja text → phones, Wikipedia sentences (digits, dates, Latin)', unit: 'chars/s', value: m['wiki_chars_per_s'] }),
    figure({ ...base, id: 'frontend.ja_first_call_ms', label: 'ja first call (builds the analyser)', unit: 'ms', value: m['first_call_ms'] }),
    figure({ ...base, id: 'frontend.ja_startup_ms', label: 'ja dictionary at bundle start-up (SHA-256 + read + check)', unit: 'ms', value: m['startup_ms'], target: { op: '<', value: 2000, text: '< 2 s' } }),
    figure({ ...base, id: 'frontend.ja_startup_cpu_ms', label: 'ja dictionary at bundle start-up, CPU time', unit: 'ms', value: m['startup_cpu_ms'] }),
    figure({ ...base, id: 'frontend.ja_identical_sentences', label: 'ja corpus sentences read as GPT-SoVITS reads them (of 749)', unit: 'count', value: m['identical_sentences'] }),
  ];
}

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
    NO_JA_DIC,
  );
  const m = record.metrics;
  const base = { suite: 'frontend', scenario: record.id } as const;
  // No targets here: the targets are the whole frontend's (runJaFrontend); this is its first stage alone.
  return [
    figure({ ...base, id: 'frontend.ja_mecab_chars_per_s', label: 'ja MeCab analysis, sentence by sentence', unit: 'chars/s', value: m['chars_per_s'] }),
    figure({ ...base, id: 'frontend.ja_mecab_long_chars_per_s', label: 'ja MeCab analysis, the corpus as one text', unit: 'chars/s', value: m['long_chars_per_s'] }),
    figure({ ...base, id: 'frontend.ja_dic_load_ms', label: 'ja dictionary load (read + check)', unit: 'ms', value: m['dic_load_ms'] }),
    figure({ ...base, id: 'frontend.ja_dic_startup_ms', label: 'ja dictionary at bundle start-up (SHA-256 + read + check), MeCab run', unit: 'ms', value: m['startup_ms'] }),
    // The CPU time of the same load: on a shared machine the wall time above also counts waiting for a core.
    figure({ ...base, id: 'frontend.ja_dic_startup_cpu_ms', label: 'ja dictionary at bundle start-up, CPU time, MeCab run', unit: 'ms', value: m['startup_cpu_ms'] }),
  ];
}
