/**
 * Benchmark: the Japanese MeCab analyser on the real OpenJTalk NAIST-JDIC, on one core: how long the dictionary
 * takes to load (on its own, and the way an engine starts: `loadFrontendData` over a bundle's copy, SHA-256 check
 * included), and characters per second through the analyser on the parity fixture's 624 sentences, one by one and
 * as one text.
 *
 *   npx node gpu-function/bench/ja-mecab.ts [--dic DIR] [--seconds 5]
 *
 * DIR defaults to GSV_JA_DIC, else Debian's open-jtalk-mecab-naist-jdic folder. The bundle is a temporary folder of
 * links to DIR's files (ja-dictionary-bundle.ts), so the figure includes reading and hashing 103 MB exactly as a
 * bundle's start-up does. The whole Japanese frontend (text → phones) is ja-frontend.ts.
 * @module
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { loadMecabDictionary, MecabAnalyser } from '../src/text/ja/mecab/index.ts';
import { jaBenchArguments, loadDictionaryAsBundle } from './ja-dictionary-bundle.ts';
import { emitResult } from './scenario-result.ts';

const { dic, seconds } = jaBenchArguments();

const fixture = new URL('../test/fixtures/ja-mecab/expected.jsonl.gz', import.meta.url);
const sentences = gunzipSync(readFileSync(fixture))
  .toString('utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as { source: string; text: string })
  .filter((sentence) => !sentence.source.startsWith('edge/'))
  .map((sentence) => sentence.text);
const corpusChars = sentences.reduce((sum, text) => sum + text.length, 0);

function throughput(label: string, run: () => number): number {
  run(); // warm: JIT compiled
  let chars = 0;
  let rounds = 0;
  const started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    chars += run();
    rounds += 1;
  }
  const elapsed = (performance.now() - started) / 1000;
  console.log(`${label}: ${Math.round(chars / elapsed).toLocaleString('en')} chars/s (${rounds} rounds in ${elapsed.toFixed(1)} s)`);
  return chars / elapsed;
}

console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, node ${process.version}`);
let started = performance.now();
const dictionary = await loadMecabDictionary(dic);
const loadMs = performance.now() - started;
console.log(`dictionary load (read + check 4 files, loadMecabDictionary): ${loadMs.toFixed(0)} ms`);
const startup = await loadDictionaryAsBundle(dic);
// CPU time beside wall time: on a shared machine the wall time also counts waiting for a core.
console.log(`bundle start-up load (SHA-256 + read + check, loadFrontendData): ${startup.ms.toFixed(0)} ms (CPU ${startup.cpuMs.toFixed(0)} ms)`);

started = performance.now();
const analyser = new MecabAnalyser(dictionary);
analyser.analyse(sentences[0] ?? '');
console.log(`first analysis: ${(performance.now() - started).toFixed(1)} ms`);
const perSentence = throughput(`ja MeCab analysis, ${sentences.length} fixture sentences one by one (${corpusChars} chars)`, () => {
  for (const text of sentences) analyser.analyse(text);
  return corpusChars;
});
const long = sentences.join('');
const oneText = throughput(`ja MeCab analysis, the fixture as one ${long.length}-char text`, () => {
  analyser.analyse(long);
  return long.length;
});
emitResult({
  metrics: { dic_load_ms: loadMs, startup_ms: startup.ms, startup_cpu_ms: startup.cpuMs, corpus_chars: corpusChars, chars_per_s: perSentence, long_chars_per_s: oneText },
  notes: [`dictionary: ${dic}`],
});
