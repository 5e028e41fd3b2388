/**
 * Benchmark: the whole Japanese frontend (issue 15) on the real OpenJTalk NAIST-JDIC, on one core: the dictionary
 * loaded as an engine starts (`loadFrontendData` over a bundle's copy, SHA-256 check included; target < 2 s), then
 * text → phones and v2 ids through the text frontend (japanese.py's normalization and split, MeCab, OpenJTalk's NJD
 * rules, JPCommon's labels, the prosody phones) on the ja-g2p fixture's 749 corpus sentences one by one (target
 * ≥ 1000 characters/s). Wall and CPU time both: on a shared machine the wall time also counts waiting for a core.
 *
 *   npx node gpu-function/bench/ja-frontend.ts [--dic DIR] [--seconds 5]
 *
 * DIR defaults to GSV_JA_DIC, else Debian's open-jtalk-mecab-naist-jdic folder; without it the script says so and
 * exits 0. Timed: `segmentPhones(text, 'ja')`, what a request's segment goes through (Latin runs go to English, as
 * in GPT-SoVITS). Before timing, every sentence's clean_text phones are compared with the fixture's, so the figure is
 * of a frontend that reads as GPT-SoVITS does.
 * @module
 */
import { cpus } from 'node:os';
import { cleanText } from '../src/text/cleaner.ts';
import { frontendLanguages } from '../src/text/frontend-data/languages.ts';
import { createTextFrontend } from '../src/text/frontend.ts';
import { readJaG2pFixture } from '../test/ja-g2p-fixture.ts';
import { jaBenchArguments, loadDictionaryAsBundle } from './ja-dictionary-bundle.ts';
import { emitResult } from './scenario-result.ts';

const { dic, seconds } = jaBenchArguments();

const corpus = readJaG2pFixture().filter((record) => !record.source.startsWith('edge/'));
const charsOf = (texts: readonly string[]): number => texts.reduce((sum, text) => sum + text.length, 0);

console.log(`machine: ${cpus()[0]?.model ?? 'unknown'} × ${cpus().length}, node ${process.version}`);
const startup = await loadDictionaryAsBundle(dic);
console.log(`dictionary at bundle start-up (SHA-256 + read + check, loadFrontendData): ${startup.ms.toFixed(0)} ms (CPU ${startup.cpuMs.toFixed(0)} ms)`);
const frontend = createTextFrontend({ symbols: 'v2', languages: frontendLanguages(startup.data) });

let started = performance.now();
frontend.segmentPhones(corpus[0]?.text ?? 'こんにちは', 'ja');
const firstCallMs = performance.now() - started;
console.log(`first Japanese call (builds the analyser): ${firstCallMs.toFixed(1)} ms`);

// The fixture is clean_text's: with `ja` the frontend also routes Latin runs to English, as GPT-SoVITS's
// get_phones_and_bert does, so the check goes through the cleaner with the same language module.
const ja = frontendLanguages(startup.data);
const identical = corpus.filter((record) => JSON.stringify(cleanText(record.text, 'ja', 'v2', ja).phones) === JSON.stringify(record.phones)).length;
console.log(`clean_text phones identical to the fixture (GPT-SoVITS over pyopenjtalk): ${identical}/${corpus.length} sentences`);

interface Throughput {
  readonly perWallSecond: number;
  readonly perCpuSecond: number;
}

function throughput(label: string, texts: readonly string[]): Throughput {
  const chars = charsOf(texts);
  const once = (): void => {
    for (const text of texts) frontend.segmentPhones(text, 'ja');
  };
  once(); // warm: JIT compiled
  let rounds = 0;
  const cpu = process.cpuUsage();
  started = performance.now();
  while (performance.now() - started < seconds * 1000) {
    once();
    rounds += 1;
  }
  const wall = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  const result = { perWallSecond: (chars * rounds) / wall, perCpuSecond: (chars * rounds) / cpuSeconds };
  const rate = (value: number): string => Math.round(value).toLocaleString('en');
  console.log(`${label} (${texts.length} sentences, ${chars} chars): ${rate(result.perWallSecond)} chars/s wall, ${rate(result.perCpuSecond)} chars per CPU-second (${rounds} rounds in ${wall.toFixed(1)} s)`);
  return result;
}

const all = throughput('ja text → phones, corpus sentences one by one', corpus.map((record) => record.text));
const wiki = throughput('ja text → phones, Wikipedia sentences (digits, dates, Latin)', corpus.filter((record) => record.source.startsWith('WIKI/')).map((record) => record.text));
emitResult({
  metrics: {
    startup_ms: startup.ms,
    startup_cpu_ms: startup.cpuMs,
    first_call_ms: firstCallMs,
    corpus_sentences: corpus.length,
    identical_sentences: identical,
    chars_per_s: all.perWallSecond,
    chars_per_cpu_s: all.perCpuSecond,
    wiki_chars_per_s: wiki.perWallSecond,
  },
  notes: [`dictionary: ${dic}`],
});
