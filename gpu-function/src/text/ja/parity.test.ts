/**
 * Parity with GPT-SoVITS's `clean_text(text, 'ja', 'v2')` over the genuine pyopenjtalk 0.4.1, given pyopenjtalk's
 * own NJD words: JPCommon's labels and japanese.py's phones are tested here apart from MeCab and the NJD rules
 * (those have their own parity tests; frontend-parity.test.ts runs them all). The sentences are the ja-g2p fixture's
 * (test/fixtures/ja-g2p: ITA, ROHAN, Wikipedia and the MeCab edge cases, read through ja-g2p-fixture.ts) and
 * ja-labels' own edge cases (edge.jsonl.gz: questions, pauses, ％, brackets, a lone comma...); per sentence they hold
 * the normalized text, phones and ids, and per piece japanese.py handed to pyopenjtalk the NJD words `run_frontend`
 * gave and the labels `make_label` made of them. Given those NJD words, the labels and phones here must be the
 * genuine ones; the pieces asked for must be the pieces japanese.py cut. ja-labels' synthetic.jsonl.gz adds NJD
 * words no sentence reaches (JPCommon's quirks and the label format's limits). Needs no external tool.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { njdNode, pieceLabels, readJaG2pFixture } from '../../../test/ja-g2p-fixture.ts';
import { cleanText } from '../cleaner.ts';
import { symbolIds } from '../symbols.ts';
import { makeFullContextLabels } from './jpcommon/index.ts';
import { convertJapanese, prosodyPhones, type NjdFrontend, type NjdNode } from './index.ts';
import { fromRunFrontend, type RunFrontendWord } from './pyopenjtalk-words.ts';

const LABELS_FIXTURE = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'ja-labels');

interface Piece {
  readonly text: string;
  readonly words: readonly NjdNode[];
  readonly labels: readonly string[];
}

interface Sentence {
  readonly source: string;
  readonly text: string;
  readonly normText: string;
  readonly phones: readonly string[];
  readonly phoneIds: readonly number[];
  readonly pieces: readonly Piece[];
}

/** A sentence as make-ja-labels-fixtures.py stores it (run_frontend's dictionaries, labels in full). */
interface LabelsFixtureSentence {
  readonly source: string;
  readonly text: string;
  readonly norm_text: string;
  readonly phones: readonly string[];
  readonly phone_ids: readonly number[];
  readonly pieces: readonly { readonly text: string; readonly njd: readonly RunFrontendWord[]; readonly labels: readonly string[] }[];
}

interface Synthetic {
  readonly name: string;
  readonly njd: readonly RunFrontendWord[];
  readonly labels: readonly string[];
  readonly prosody: readonly string[];
}

function readJsonLines<T>(name: string): T[] {
  return gunzipSync(readFileSync(join(LABELS_FIXTURE, name)))
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}

function jaG2pSentences(): Sentence[] {
  return readJaG2pFixture().map((record) => {
    if (record.norm_text === undefined || record.phones === undefined || record.phone_ids === undefined) {
      throw new Error(`${record.source}: clean_text raised (${record.error ?? '?'}), nothing to compare`);
    }
    return {
      source: `ja-g2p/${record.source}`,
      text: record.text,
      normText: record.norm_text,
      phones: record.phones,
      phoneIds: record.phone_ids,
      pieces: record.pieces.map((piece) => ({ text: piece.text, words: piece.njd.map(njdNode), labels: pieceLabels(piece) })),
    };
  });
}

function labelsEdgeSentences(): Sentence[] {
  return readJsonLines<LabelsFixtureSentence>('edge.jsonl.gz').map((sentence) => ({
    source: `ja-labels/${sentence.source}`,
    text: sentence.text,
    normText: sentence.norm_text,
    phones: sentence.phones,
    phoneIds: sentence.phone_ids,
    pieces: sentence.pieces.map((piece) => ({ text: piece.text, words: piece.njd.map(fromRunFrontend), labels: piece.labels })),
  }));
}

const sentences = [...jaG2pSentences(), ...labelsEdgeSentences()];

/** Replays the fixture's NJD words, checking that the pieces come in japanese.py's order. */
function replay(sentence: Sentence): { readonly frontend: NjdFrontend; asked: string[] } {
  const asked: string[] = [];
  const frontend: NjdFrontend = (piece) => {
    const recorded = sentence.pieces[asked.length];
    asked.push(piece);
    if (recorded?.text !== piece) return [];
    return recorded.words;
  };
  return { frontend, asked };
}

function sameSentence(sentence: Sentence): boolean {
  const { frontend, asked } = replay(sentence);
  const ja = { language: 'ja' as const, convert: (text: string) => convertJapanese(text, frontend) };
  const result = cleanText(sentence.text, 'ja', 'v2', { ja });
  return (
    JSON.stringify(asked) === JSON.stringify(sentence.pieces.map((piece) => piece.text)) &&
    result.normText === sentence.normText &&
    JSON.stringify(result.phones) === JSON.stringify(sentence.phones) &&
    JSON.stringify(Array.from(symbolIds('v2', result.phones))) === JSON.stringify(sentence.phoneIds) &&
    result.word2ph.reduce((sum, count) => sum + count, 0) === result.phones.length
  );
}

describe('Japanese parity with GPT-SoVITS japanese.py over pyopenjtalk 0.4.1', () => {
  it('makes the genuine full-context labels of every piece from its genuine NJD words', () => {
    const pieces = sentences.flatMap((sentence) => sentence.pieces.map((piece) => ({ source: sentence.source, piece })));
    const differing = pieces.filter(({ piece }) => JSON.stringify(makeFullContextLabels(piece.words)) !== JSON.stringify(piece.labels));
    console.info(`ja labels parity: ${String(pieces.length - differing.length)}/${String(pieces.length)} pieces identical`);
    expect(differing.map(({ source, piece }) => `${source} ${piece.text}`)).toEqual([]);
    expect(pieces.length).toBeGreaterThan(1500);
  });

  it("makes clean_text's normalized text, phones and ids for every sentence", () => {
    const differing = sentences.filter((sentence) => !sameSentence(sentence));
    console.info(`ja phones parity: ${String(sentences.length - differing.length)}/${String(sentences.length)} sentences identical`);
    expect(differing.map((sentence) => `${sentence.source} ${sentence.text}`)).toEqual([]);
    expect(sentences.length).toBeGreaterThan(800);
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
