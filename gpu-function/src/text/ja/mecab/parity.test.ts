/**
 * Parity with the genuine MeCab 0.996 on the real OpenJTalk NAIST-JDIC: the fixture (test/fixtures/ja-mecab, made by
 * scripts/parity/make-ja-mecab-fixtures.ts with Debian's mecab) holds each word's surface, feature, unknown-word
 * status and path cost for 624 public-domain/CC0 sentences (ITA corpus, ROHAN corpus) and 38 edge cases. The
 * dictionary is not in the repository: GSV_JA_DIC names its folder (default: where Debian's
 * open-jtalk-mecab-naist-jdic puts it). Without it, or with a different dictionary than the fixture was made with,
 * the test skips and says why.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMecabDictionary, MECAB_DICTIONARY_FILES, MecabAnalyser } from './index.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', '..', '..', 'test', 'fixtures', 'ja-mecab');
const DIC = process.env['GSV_JA_DIC'] ?? '/var/lib/mecab/dic/open-jtalk/naist-jdic';

interface Expected {
  readonly source: string;
  readonly text: string;
  readonly cost: number;
  readonly morphemes: readonly (readonly [string, string, number, number])[];
}

const meta = JSON.parse(readFileSync(join(FIXTURE, 'meta.json'), 'utf8')) as { dictionary: Record<string, string> };

function skipReason(): string | undefined {
  const missing = MECAB_DICTIONARY_FILES.filter((name) => !existsSync(join(DIC, name)));
  if (missing.length > 0) {
    return `no OpenJTalk NAIST-JDIC at ${DIC} (${missing.join(', ')} missing): apt-get install open-jtalk-mecab-naist-jdic, or set GSV_JA_DIC`;
  }
  const differing = MECAB_DICTIONARY_FILES.filter((name) => createHash('sha256').update(readFileSync(join(DIC, name))).digest('hex') !== meta.dictionary[name]);
  if (differing.length > 0) return `${DIC} is not the dictionary the fixture was made with (${differing.join(', ')} differ)`;
  return undefined;
}

const reason = skipReason();
if (reason !== undefined) console.warn(`ja MeCab parity skipped: ${reason}`);

describe.skipIf(reason !== undefined)('MeCab parity with mecab 0.996 on OpenJTalk NAIST-JDIC', () => {
  const expected = gunzipSync(readFileSync(join(FIXTURE, 'expected.jsonl.gz')))
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Expected);
  let analyser: MecabAnalyser;

  beforeAll(async () => {
    analyser = new MecabAnalyser(await loadMecabDictionary(DIC));
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
