/**
 * End-to-end parity with GPT-SoVITS's `clean_text(text, 'ja', 'v2')` over the genuine pyopenjtalk 0.4.1: text →
 * MeCab → OpenJTalk's NJD rules → JPCommon's labels → japanese.py's phones, all gsv-edge's own, must give the
 * fixture's normalized text, phones and v2 ids (test/fixtures/ja-g2p, 749 corpus sentences and 38 edge cases). The
 * stages have their own parity tests (mecab/, njd/, parity.test.ts); this one is what a user hears. The dictionary
 * is not in the repository: GSV_JA_DIC names its folder (default: where Debian's open-jtalk-mecab-naist-jdic puts
 * it). Without it, or with a different dictionary than the fixture was made with, the test skips and says why.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { njdNode, readJaG2pFixture, readJaG2pMeta, type JaG2pRecord } from '../../../test/ja-g2p-fixture.ts';
import { cleanText } from '../cleaner.ts';
import { symbolIds } from '../symbols.ts';
import type { LanguageG2p } from '../types.ts';
import { createJaG2p } from './index.ts';
import { loadMecabDictionary, MecabAnalyser } from './mecab/index.ts';
import { runNjd } from './njd/index.ts';
import { JA_DIC, jaDictionarySkipReason } from '../../../test/ja-dictionary.ts';

const meta = readJaG2pMeta();

const reason = jaDictionarySkipReason(meta.dictionary.sha256);
if (reason !== undefined) console.warn(`ja end-to-end parity skipped: ${reason}`);

const sourceOf = (record: JaG2pRecord): string => record.source.slice(0, record.source.indexOf('/'));
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

describe.skipIf(reason !== undefined)("Japanese end to end: gsv-edge's frontend against GPT-SoVITS clean_text over pyopenjtalk 0.4.1", () => {
  const records = readJaG2pFixture();
  let ja: LanguageG2p;
  let analyser: MecabAnalyser;

  beforeAll(async () => {
    const mecab = await loadMecabDictionary(JA_DIC);
    ja = createJaG2p({ mecab });
    analyser = new MecabAnalyser(mecab);
  });

  /** Which stage first parts from the fixture, so a difference points at the module to look at. */
  function firstDifference(record: JaG2pRecord, phones: readonly string[], normText: string): string {
    if (normText !== record.norm_text) return `norm_text ${JSON.stringify(normText)}`;
    for (const piece of record.pieces) {
      const words = runNjd(piece.text, analyser);
      if (!same(words, piece.njd.map(njdNode))) return `NJD words of piece ${JSON.stringify(piece.text)}`;
    }
    return `phones ${phones.join(' ')}`;
  }

  function measure(records: readonly JaG2pRecord[]): { identical: number; differing: string[] } {
    const differing: string[] = [];
    for (const record of records) {
      const { normText, phones } = cleanText(record.text, 'ja', 'v2', { ja });
      const identical =
        normText === record.norm_text && same(phones, record.phones) && same(Array.from(symbolIds('v2', phones)), record.phone_ids);
      if (!identical) differing.push(`${record.source} ${record.text}: ${firstDifference(record, phones, normText)}`);
    }
    return { identical: records.length - differing.length, differing };
  }

  it('reads every corpus sentence (ITA, ROHAN, Wikipedia with digits, dates and Latin) as GPT-SoVITS does', () => {
    const corpus = records.filter((record) => sourceOf(record) !== 'edge');
    expect(corpus.length).toBe(meta.counts['corpus']);
    const figures: string[] = [];
    const differing: string[] = [];
    for (const source of ['ITA', 'ROHAN', 'WIKI']) {
      const subset = corpus.filter((record) => sourceOf(record) === source);
      expect(subset.length, source).toBe(meta.counts[source]);
      const result = measure(subset);
      figures.push(`${source} ${String(result.identical)}/${String(subset.length)}`);
      differing.push(...result.differing);
    }
    console.info(`ja end-to-end parity: ${String(corpus.length - differing.length)}/${String(corpus.length)} corpus sentences identical (${figures.join(', ')})`);
    expect(differing).toEqual([]);
  });

  it('reads the edge cases as GPT-SoVITS does (spaces, Latin, digits, symbols, emoji, long runs)', () => {
    const edge = records.filter((record) => sourceOf(record) === 'edge');
    expect(edge.length).toBe(meta.counts['edge']);
    const { identical, differing } = measure(edge);
    console.info(`ja end-to-end parity: ${String(identical)}/${String(edge.length)} edge cases identical`);
    expect(differing).toEqual([]);
  });
});
