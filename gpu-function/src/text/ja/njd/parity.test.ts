/**
 * Parity with the genuine pyopenjtalk 0.4.1: the fixture (test/fixtures/ja-njd, made by
 * scripts/parity/make-ja-njd-fixtures.py) holds `pyopenjtalk.run_frontend(text)` for the MeCab fixture's 624 corpus
 * sentences and its edge cases, plus the project's own NJD cases (extra-cases.txt: numbers, dates, counters, decimals,
 * phone numbers, kana and Latin oddities). The dictionary is not in the repository: GSV_JA_DIC names its folder (default:
 * where Debian's open-jtalk-mecab-naist-jdic puts it). Without it, or with a different dictionary than the fixture
 * was made with, the test skips and says why.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMecabDictionary, MecabAnalyser } from '../mecab/index.ts';
import type { NjdNode } from './node.ts';
import { runNjd } from './run-njd.ts';
import { JA_DIC, jaDictionarySkipReason, readJsonLinesGz } from '../../../../test/ja-dictionary.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'ja-njd');

/** pyopenjtalk's field order in the fixture. */
const FIELDS = ['string', 'pos', 'posGroup1', 'posGroup2', 'posGroup3', 'ctype', 'cform', 'orig', 'read', 'pron', 'acc', 'moraSize', 'chainRule', 'chainFlag'] as const;

interface Expected {
  readonly source: string;
  readonly text: string;
  readonly njd: readonly (readonly (string | number)[])[];
}

const meta = JSON.parse(readFileSync(join(FIXTURE, 'meta.json'), 'utf8')) as { dictionary: Record<string, string> };

const reason = jaDictionarySkipReason(meta.dictionary);
if (reason !== undefined) console.warn(`ja NJD parity skipped: ${reason}`);

function asRow(node: NjdNode): (string | number)[] {
  return FIELDS.map((field) => node[field]);
}

describe.skipIf(reason !== undefined)('NJD parity with pyopenjtalk 0.4.1 run_frontend', () => {
  const expected = readJsonLinesGz<Expected>(join(FIXTURE, 'expected.jsonl.gz'));
  let analyser: MecabAnalyser;

  beforeAll(async () => {
    analyser = new MecabAnalyser(await loadMecabDictionary(JA_DIC));
  });

  /** Sentences whose words are identical field by field, and which fields differ where they are not. */
  const measure = (subset: readonly Expected[]): { identical: number; mismatches: string[]; fields: Record<string, number> } => {
    let identical = 0;
    const mismatches: string[] = [];
    const fields: Record<string, number> = {};
    for (const sentence of subset) {
      const actual = runNjd(sentence.text, analyser).map(asRow);
      if (JSON.stringify(actual) === JSON.stringify(sentence.njd)) {
        identical++;
        continue;
      }
      mismatches.push(`${sentence.source} ${sentence.text}`);
      const differing = new Set<string>();
      if (actual.length !== sentence.njd.length) differing.add('word count');
      else {
        actual.forEach((row, word) => {
          row.forEach((value, field) => {
            if (value !== sentence.njd[word]?.[field]) differing.add(FIELDS[field] ?? '?');
          });
        });
      }
      for (const field of differing) fields[field] = (fields[field] ?? 0) + 1;
    }
    return { identical, mismatches, fields };
  };

  it('gives the 624 corpus sentences the same NJD words as pyopenjtalk', () => {
    const corpus = expected.filter((sentence) => !sentence.source.startsWith('edge/') && !sentence.source.startsWith('njd-extra/'));
    expect(corpus.length).toBeGreaterThanOrEqual(500);
    const { identical, mismatches, fields } = measure(corpus);
    console.info(`ja NJD parity: ${identical} / ${corpus.length} corpus sentences identical; sentences differing per field: ${JSON.stringify(fields)}`);
    expect(mismatches).toEqual([]);
  });

  it('handles the edge cases as pyopenjtalk does (spaces, Latin, digits, symbols, emoji, long runs)', () => {
    const edge = expected.filter((sentence) => sentence.source.startsWith('edge/'));
    expect(edge.length).toBeGreaterThan(30);
    const { identical, mismatches, fields } = measure(edge);
    console.info(`ja NJD parity: ${identical} / ${edge.length} edge cases identical; sentences differing per field: ${JSON.stringify(fields)}`);
    expect(mismatches).toEqual([]);
  });

  it('reads the project\'s NJD cases as pyopenjtalk does (numbers, dates, counters, decimals, kana and Latin oddities)', () => {
    const extra = expected.filter((sentence) => sentence.source.startsWith('njd-extra/'));
    expect(extra.length).toBeGreaterThan(500);
    const { identical, mismatches, fields } = measure(extra);
    console.info(`ja NJD parity: ${identical} / ${extra.length} NJD cases identical; sentences differing per field: ${JSON.stringify(fields)}`);
    expect(mismatches).toEqual([]);
  });
});
