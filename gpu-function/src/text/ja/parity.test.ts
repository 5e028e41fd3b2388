/**
 * Parity with GPT-SoVITS's `clean_text(text, 'ja', 'v2')` over the genuine pyopenjtalk 0.4.1: the fixture
 * (test/fixtures/ja-labels, made by scripts/parity/make-ja-labels-fixtures.py) holds, per sentence, japanese.py's
 * normalized text, phones and ids, and per piece japanese.py handed to pyopenjtalk the NJD words `run_frontend` gave
 * and the labels `make_label` made of them. Given those NJD words, the labels here and the phones here must be the
 * genuine ones; the pieces asked for must be the pieces japanese.py cut. synthetic.jsonl.gz adds NJD words no
 * sentence reaches (JPCommon's quirks and the label format's limits). Needs no external tool.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { cleanText } from '../cleaner.ts';
import { symbolIds } from '../symbols.ts';
import { makeFullContextLabels } from './jpcommon/index.ts';
import { convertJapanese, prosodyPhones, type NjdFrontend } from './index.ts';
import { fromRunFrontend, type RunFrontendWord } from './pyopenjtalk-words.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'ja-labels');

interface Piece {
  readonly text: string;
  readonly njd: readonly RunFrontendWord[];
  readonly labels: readonly string[];
}

interface Sentence {
  readonly source: string;
  readonly text: string;
  readonly norm_text: string;
  readonly phones: readonly string[];
  readonly phone_ids: readonly number[];
  readonly pieces: readonly Piece[];
}

interface Synthetic {
  readonly name: string;
  readonly njd: readonly RunFrontendWord[];
  readonly labels: readonly string[];
  readonly prosody: readonly string[];
}

function readJsonLines<T>(name: string): T[] {
  return gunzipSync(readFileSync(join(FIXTURE, name)))
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

const sentences = readJsonLines<Sentence>('expected.jsonl.gz');

/** Replays the fixture's NJD words, checking that the pieces come in japanese.py's order. */
function replay(sentence: Sentence): { readonly frontend: NjdFrontend; asked: string[] } {
  const asked: string[] = [];
  const frontend: NjdFrontend = (piece) => {
    const recorded = sentence.pieces[asked.length];
    asked.push(piece);
    if (recorded?.text !== piece) return [];
    return recorded.njd.map(fromRunFrontend);
  };
  return { frontend, asked };
}

function sameSentence(sentence: Sentence): boolean {
  const { frontend, asked } = replay(sentence);
  const ja = { language: 'ja' as const, convert: (text: string) => convertJapanese(text, frontend) };
  const result = cleanText(sentence.text, 'ja', 'v2', { ja });
  return (
    JSON.stringify(asked) === JSON.stringify(sentence.pieces.map((piece) => piece.text)) &&
    result.normText === sentence.norm_text &&
    JSON.stringify(result.phones) === JSON.stringify(sentence.phones) &&
    JSON.stringify(Array.from(symbolIds('v2', result.phones))) === JSON.stringify(sentence.phone_ids) &&
    result.word2ph.reduce((sum, count) => sum + count, 0) === result.phones.length
  );
}

describe('Japanese parity with GPT-SoVITS japanese.py over pyopenjtalk 0.4.1', () => {
  it('makes the genuine full-context labels of every piece from its genuine NJD words', () => {
    const pieces = sentences.flatMap((sentence) => sentence.pieces.map((piece) => ({ source: sentence.source, piece })));
    const differing = pieces.filter(({ piece }) => JSON.stringify(makeFullContextLabels(piece.njd.map(fromRunFrontend))) !== JSON.stringify(piece.labels));
    console.info(`ja labels parity: ${String(pieces.length - differing.length)}/${String(pieces.length)} pieces identical`);
    expect(differing.map(({ source, piece }) => `${source} ${piece.text}`)).toEqual([]);
    expect(pieces.length).toBeGreaterThan(1000);
  });

  it("makes clean_text's normalized text, phones and ids for every sentence", () => {
    const differing = sentences.filter((sentence) => !sameSentence(sentence));
    console.info(`ja phones parity: ${String(sentences.length - differing.length)}/${String(sentences.length)} sentences identical`);
    expect(differing.map((sentence) => `${sentence.source} ${sentence.text}`)).toEqual([]);
    expect(sentences.length).toBeGreaterThan(600);
  });

  // NJD words no sentence reaches, through the genuine make_label and pyopenjtalk_g2p_prosody.
  for (const synthetic of readJsonLines<Synthetic>('synthetic.jsonl.gz')) {
    it(`handles ${synthetic.name} as OpenJTalk does`, () => {
      const labels = makeFullContextLabels(synthetic.njd.map(fromRunFrontend));
      expect(labels).toEqual(synthetic.labels);
      expect(prosodyPhones(labels)).toEqual(synthetic.prosody);
    });
  }
});
