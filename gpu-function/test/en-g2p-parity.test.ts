/**
 * English parity with GPT-SoVITS on 395 sentences (numbers, dates, names, mixed script, punctuation, homographs,
 * possessives, acronyms, unknown words). Expected phones were produced by GPT-SoVITS's own english.py / expend.py /
 * cleaner.py (see README, "Text frontend"). The floors are the rates measured when this test was written with the
 * npm-only data; they fail on any regression.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createEnglishG2p } from '../src/text/en/index.ts';
import { segmentPhones } from '../src/text/frontend-phones.ts';

interface Sentence {
  readonly id: string;
  readonly category: string;
  readonly text: string;
}
interface Expected {
  readonly id: string;
  readonly norm_text: string;
  readonly phones: readonly string[];
}

const fixtures = new URL('./fixtures/en-g2p/', import.meta.url);
const readJsonLines = <T>(name: string): T[] =>
  readFileSync(new URL(name, fixtures), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as T);

function editDistance(a: readonly string[], b: readonly string[]): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

describe('English phones against GPT-SoVITS', () => {
  it('matches whole phone sequences and normalized text at the measured rates', () => {
    const sentences = readJsonLines<Sentence>('sentences.jsonl');
    const expected = new Map(readJsonLines<Expected>('expected.jsonl').map((item) => [item.id, item]));
    const english = { en: createEnglishG2p() };
    let exact = 0;
    let normalized = 0;
    let errors = 0;
    let reference = 0;
    const mismatches: Record<string, number> = {};
    for (const sentence of sentences) {
      const want = expected.get(sentence.id);
      if (want === undefined) throw new Error(`no expectation for ${sentence.id}`);
      const got = segmentPhones(sentence.text, 'en', 'v2', english);
      if (got.phones.join(' ') === want.phones.join(' ')) exact += 1;
      else mismatches[sentence.category] = (mismatches[sentence.category] ?? 0) + 1;
      if (got.normText === want.norm_text) normalized += 1;
      errors += editDistance(want.phones, got.phones);
      reference += want.phones.length;
    }
    const exactRate = exact / sentences.length;
    const phoneErrorRate = errors / reference;
    console.log(
      `en parity: ${exact}/${sentences.length} exact (${(100 * exactRate).toFixed(1)} %), ` +
        `normalized text ${normalized}/${sentences.length}, phone error rate ${(100 * phoneErrorRate).toFixed(2)} %, ` +
        `mismatches by category ${JSON.stringify(mismatches)}`,
    );
    expect(sentences.length).toBeGreaterThanOrEqual(300);
    expect(normalized).toBe(sentences.length);
    expect(exactRate).toBeGreaterThanOrEqual(0.885);
    expect(phoneErrorRate).toBeLessThanOrEqual(0.016);
  });
});
