/**
 * Suite `frontend` (issue 5): runs the frontend's own benchmark (`npm run bench:frontend`,
 * gpu-function/bench/zh-frontend.ts) and folds its figures in. Targets: ≥ 1000 characters/s of Mandarin text
 * through the frontend without BERT; all of a request's Mandarin segments in one BERT call.
 * @module
 */
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
