/**
 * Benchmark: Mandarin frontend throughput on one core without BERT (characters per second through normalization,
 * segmentation, pinyin, tone sandhi and phone mapping), then BERT feature batching: the same Mandarin segments sent to
 * a BERT graph one call per segment (GPT-SoVITS's way) versus one padded batch (`bertFeatures`).
 *
 *   npm run bench:frontend                    # defaults
 *   npm run bench:frontend -- --seconds 10 --bert-layers 6 --segments 16
 *
 * The BERT is a synthetic chinese-roberta-wwm-ext-large with the real width (1024, 16 heads, FFN 4096) but fewer
 * layers (the real model computes 22 for hidden_states[-3]); per-layer cost scales linearly. Node runs JavaScript on
 * one thread; onnxruntime gets `--ort-threads` (default 1).
 * @module
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readHfBert } from '../src/checkpoint/hf-bert.ts';
import { bertDimsFromArchitecture } from '../src/models/bert/config.ts';
import { buildBertGraph } from '../src/models/bert/graph.ts';
import { sessionBertRunner } from '../src/engine/text/bert-runner.ts';
import { encodeModel } from '../src/onnx/index.ts';
import { DEFAULT_RUNTIME_CONFIG, ModelSession } from '../src/runtime/index.ts';
import { BERT_FULL, writeSyntheticBert } from '../src/synthetic/index.ts';
import { bertFeatures, loadBertTokenizer } from '../src/text/bert/index.ts';
import type { BertRunner, G2pResult } from '../src/text/types.ts';
import { zhG2p } from '../src/text/zh/index.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    'bert-layers': { type: 'string', default: '5' },
    segments: { type: 'string', default: '8' },
    'ort-threads': { type: 'string', default: '1' },
    'no-bert': { type: 'boolean', default: false },
  },
});
const seconds = Number(values.seconds);

const fixture = new URL('../test/fixtures/zh-g2p/sentences.jsonl', import.meta.url);
const sentences = readFileSync(fixture, 'utf8')
  .trim()
  .split('\n')
  .map((line) => (JSON.parse(line) as { text: string }).text)
  .filter((text) => text !== '');
const corpusChars = sentences.reduce((sum, text) => sum + text.length, 0);

function throughput(label: string, run: () => number): void {
  run(); // warm: dictionaries loaded, JIT compiled
  let chars = 0;
  let rounds = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    chars += run();
    rounds += 1;
  }
  const elapsed = (performance.now() - started) / 1000;
  console.log(`${label}: ${Math.round(chars / elapsed).toLocaleString('en')} chars/s (${rounds} rounds in ${elapsed.toFixed(1)} s)`);
}

console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, node ${process.version}`);
let started = performance.now();
zhG2p.convert('你好。', 'v2');
console.log(`first call (loads jieba's dictionary and pinyin data): ${(performance.now() - started).toFixed(0)} ms`);
throughput(`zh g2p, ${sentences.length} fixture sentences one by one (${corpusChars} chars)`, () => {
  for (const text of sentences) zhG2p.convert(text, 'v2');
  return corpusChars;
});
const long = sentences.join('');
throughput(`zh g2p, the fixture as one ${long.length}-char text`, () => {
  zhG2p.convert(long, 'v2');
  return long.length;
});

async function benchBert(): Promise<void> {
  const layers = Number(values['bert-layers']);
  const dir = await mkdtemp(join(tmpdir(), 'bench-bert-'));
  try {
    started = performance.now();
    await writeSyntheticBert(dir, { ...BERT_FULL, layers, vocab: 21128 }, { seed: 7 });
    const bert = await readHfBert(dir);
    const dims = bertDimsFromArchitecture(bert.architecture);
    const threads = Number(values['ort-threads']);
    const session = await ModelSession.load(await encodeModel(buildBertGraph(bert.weights, dims, 'fp32')), {
      ...DEFAULT_RUNTIME_CONFIG,
      intraOpThreads: threads,
    });
    await bert.weights.close();
    const tokenizer = await loadBertTokenizer(join(dir, 'vocab.txt'));
    console.log(`BERT: synthetic 1024-wide, ${layers} layers (${layers - 2} computed), ${threads} ORT thread(s), built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    let calls = 0;
    // The engine's own runner (padding, layer −3 cut per row), counted.
    const engineRunner = sessionBertRunner(session);
    const runner: BertRunner = async (batch) => {
      calls += 1;
      return engineRunner(batch);
    };

    const count = Number(values.segments);
    const segments: G2pResult[] = sentences
      .filter((text) => text.length >= 10 && text.length <= 30)
      .slice(0, count)
      .map((text) => zhG2p.convert(text, 'v2'));
    const tokens = segments.reduce((sum, s) => sum + s.normText.length + 2, 0);
    await bertFeatures(segments, runner, tokenizer); // warm
    for (const mode of ['one call per segment', 'one batched call'] as const) {
      const rounds = 3;
      calls = 0;
      started = performance.now();
      for (let r = 0; r < rounds; r += 1) {
        if (mode === 'one batched call') await bertFeatures(segments, runner, tokenizer);
        else for (const segment of segments) await bertFeatures([segment], runner, tokenizer);
      }
      const ms = (performance.now() - started) / rounds;
      console.log(`BERT ${mode}: ${segments.length} segments (${tokens} tokens) in ${ms.toFixed(0)} ms, ${calls / rounds} runner call(s)`);
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (!values['no-bert']) await benchBert();
