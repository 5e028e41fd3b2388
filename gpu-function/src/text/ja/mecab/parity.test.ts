/**
 * Parity with the genuine MeCab 0.996 on the real OpenJTalk NAIST-JDIC: the fixture (test/fixtures/ja-mecab, made by
 * scripts/parity/make-ja-mecab-fixtures.ts with Debian's mecab) holds each word's surface, feature, unknown-word
 * status and path cost for 624 public-domain/CC0 sentences (ITA corpus, ROHAN corpus) and 38 edge cases. The
 * dictionary is not in the repository: GSV_JA_DIC names its folder (default: where Debian's
 * open-jtalk-mecab-naist-jdic puts it). Without it, or with a different dictionary than the fixture was made with,
 * the test skips and says why.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMecabDictionary, MecabAnalyser } from './index.ts';
import { JA_DIC, jaDictionarySkipReason, readJsonLinesGz } from '../../../../test/ja-dictionary.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'ja-mecab');

interface Expected {
  readonly source: string;
  readonly text: string;
  readonly cost: number;
  readonly morphemes: readonly (readonly [string, string, number, number])[];
}

const meta = JSON.parse(readFileSync(join(FIXTURE, 'meta.json'), 'utf8')) as { dictionary: Record<string, string> };

const reason = jaDictionarySkipReason(meta.dictionary);
if (reason !== undefined) console.warn(`ja MeCab parity skipped: ${reason}`);

describe.skipIf(reason !== undefined)('MeCab parity with mecab 0.996 on OpenJTalk NAIST-JDIC', () => {
  const expected = readJsonLinesGz<Expected>(join(FIXTURE, 'expected.jsonl.gz'));
  let analyser: MecabAnalyser;

  beforeAll(async () => {
    analyser = new MecabAnalyser(await loadMecabDictionary(JA_DIC));
  });

  const measure = (subset: readonly Expected[]): { identical: number; mismatches: string[] } => {
    let identical = 0;
    const mismatches: string[] = [];
    for (const sentence of subset) {
      const analysis = analyser.analyse(sentence.text);
      const actual = analysis.morphemes.map((m) => [m.surface, m.feature, m.unknown ? 1 : 0, m.pathCost]);
      if (JSON.stringify(actual) === JSON.stringify(sentence.morphemes) && analysis.cost === sentence.cost) identical++;
      else mismatches.push(`${sentence.source} ${sentence.text}`);
    }
    return { identical, mismatches };
  };

  it('segments the 624 corpus sentences identically (surface, feature, unknown status, path costs)', () => {
    const corpus = expected.filter((sentence) => !sentence.source.startsWith('edge/'));
    expect(corpus.length).toBeGreaterThanOrEqual(500);
    const { identical, mismatches } = measure(corpus);
    console.info(`ja MeCab parity: ${identical} / ${corpus.length} corpus sentences identical`);
    expect(mismatches).toEqual([]);
  });

  it('handles the edge cases identically (spaces, Latin, digits, symbols, emoji, U+FFFF, long runs)', () => {
    const edge = expected.filter((sentence) => sentence.source.startsWith('edge/'));
    expect(edge.length).toBeGreaterThan(30);
    expect(measure(edge).mismatches).toEqual([]);
  });
});
