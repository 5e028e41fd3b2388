/**
 * Test support: agreement of the text frontend with GPT-SoVITS's own output on the zh-g2p and en-g2p fixtures
 * (whole-sequence exact matches, per-phone error rate = edit distance / reference phones, normalized text), shared
 * by the npm-data parity tests and the full-data measurement.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { LanguageModules } from '../src/text/cleaner.ts';
import { segmentPhones } from '../src/text/frontend-phones.ts';
import type { LanguageG2p, SymbolTableVersion } from '../src/text/types.ts';

export interface Agreement {
  readonly sentences: number;
  readonly exact: number;
  readonly phoneErrorRate: number;
  readonly normExact: number;
  /** Sentences not matched exactly, by fixture category. */
  readonly mismatches: Readonly<Record<string, number>>;
}

const readJsonLines = <T>(name: string): T[] =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);

export function editDistance(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

interface Tally {
  sentences: number;
  exact: number;
  normExact: number;
  errors: number;
  reference: number;
  mismatches: Record<string, number>;
}

function tally(): Tally {
  return { sentences: 0, exact: 0, normExact: 0, errors: 0, reference: 0, mismatches: {} };
}

function add(t: Tally, category: string, exact: boolean, normExact: boolean, got: readonly string[], want: readonly string[]): void {
  t.sentences += 1;
  if (exact) t.exact += 1;
  else t.mismatches[category] = (t.mismatches[category] ?? 0) + 1;
  if (normExact) t.normExact += 1;
  t.errors += editDistance(got, want);
  t.reference += want.length;
}

const agreement = (t: Tally): Agreement => ({
  sentences: t.sentences,
  exact: t.exact,
  phoneErrorRate: t.errors / t.reference,
  normExact: t.normExact,
  mismatches: t.mismatches,
});

interface ZhExpected {
  readonly normText: string;
  readonly phones: string;
  readonly word2ph: readonly number[];
}
interface ZhSentence {
  readonly category: string;
  readonly text: string;
  readonly v1: ZhExpected;
  readonly v2: ZhExpected;
}

/** Mandarin: `convert` per sentence, phones and word2ph both must match. */
export function measureZh(zh: LanguageG2p, version: SymbolTableVersion): Agreement {
  const t = tally();
  for (const sentence of readJsonLines<ZhSentence>('zh-g2p/sentences.jsonl')) {
    const want = sentence[version];
    const got = zh.convert(sentence.text, version);
    const exact = got.phones.join(' ') === want.phones && got.word2ph.join() === want.word2ph.join();
    add(t, sentence.category, exact, got.normText === want.normText, got.phones, want.phones === '' ? [] : want.phones.split(' '));
  }
  return agreement(t);
}

interface EnSentence {
  readonly id: string;
  readonly category: string;
  readonly text: string;
}
interface EnExpected {
  readonly id: string;
  readonly norm_text: string;
  readonly phones: readonly string[];
}

/** English: `get_phones_and_bert(text, "en")`, i.e. one segment through the language router with the retry. */
export function measureEn(languages: LanguageModules): Agreement {
  const expected = new Map(readJsonLines<EnExpected>('en-g2p/expected.jsonl').map((item) => [item.id, item]));
  const t = tally();
  for (const sentence of readJsonLines<EnSentence>('en-g2p/sentences.jsonl')) {
    const want = expected.get(sentence.id);
    if (want === undefined) throw new Error(`no expectation for ${sentence.id}`);
    const got = segmentPhones(sentence.text, 'en', 'v2', languages);
    add(t, sentence.category, got.phones.join(' ') === want.phones.join(' '), got.normText === want.norm_text, got.phones, want.phones);
  }
  return agreement(t);
}

export function formatAgreement(label: string, a: Agreement): string {
  const percent = (value: number): string => `${(100 * value).toFixed(1)} %`;
  return (
    `${label}: ${a.exact}/${a.sentences} exact (${percent(a.exact / a.sentences)}), phone error rate ${(100 * a.phoneErrorRate).toFixed(2)} %, ` +
    `normalized text ${a.normExact}/${a.sentences}, mismatches by category ${JSON.stringify(a.mismatches)}`
  );
}
