/**
 * Integrity of the Japanese g2p parity fixture (test/fixtures/ja-g2p, see its README.md): counts agree with
 * meta.json, every sentence has every stage (or a recorded error), ids lie in the v2 symbol table and agree with it,
 * labels decode, and every source is listed with its licence. The parity tests proper (NJD rules, JPCommon labels,
 * the whole frontend) read the same fixture through ja-g2p-fixture.ts.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { symbolIds, symbolTable } from '../src/text/symbols.ts';
import { NJD_FIELDS, njdNode, pieceLabels, readJaG2pFixture, readJaG2pMeta } from './ja-g2p-fixture.ts';

const records = readJaG2pFixture();
const meta = readJaG2pMeta();
const sourceOf = (source: string): string => source.slice(0, source.indexOf('/'));

describe('ja-g2p fixture', () => {
  it('holds the counted corpus sentences and the edge cases, every source listed with its origin', () => {
    const bySource = new Map<string, number>();
    for (const record of records) bySource.set(sourceOf(record.source), (bySource.get(sourceOf(record.source)) ?? 0) + 1);
    expect(Object.fromEntries(bySource)).toEqual(Object.fromEntries(Object.entries(meta.sources).map(([name, source]) => [name, source.sentences])));
    for (const [name, source] of Object.entries(meta.sources)) {
      expect(meta.counts[name]).toBe(source.sentences);
      if (name !== 'edge') expect(source.licence, name).toMatch(/\S/u);
    }
    expect(meta.counts['sentences']).toBe(records.length);
    expect(meta.counts['corpus']).toBe(records.length - (meta.counts['edge'] ?? 0));
    expect(meta.counts['corpus']).toBeGreaterThanOrEqual(500);
    expect(meta.counts['WIKI']).toBeGreaterThanOrEqual(100);
    expect(meta.counts['edge']).toBe(38);
    expect(new Set(records.map((r) => r.source)).size).toBe(records.length);
  });

  it('reuses the ja-mecab fixture sentences and dictionary', () => {
    const mecabFixture = new URL('./fixtures/ja-mecab/', import.meta.url);
    const mecab = gunzipSync(readFileSync(new URL('expected.jsonl.gz', mecabFixture)))
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as { source: string; text: string });
    const texts = new Map(records.map((r) => [r.source, r.text]));
    for (const sentence of mecab) expect(texts.get(sentence.source), sentence.source).toBe(sentence.text);
    const mecabMeta = JSON.parse(readFileSync(new URL('meta.json', mecabFixture), 'utf8')) as { dictionary: Record<string, string> };
    for (const [file, sha] of Object.entries(mecabMeta.dictionary)) expect(meta.dictionary.sha256[file], file).toBe(sha);
  });

  it('has the cleaner result and v2 ids for every sentence, or records why not', () => {
    const table = symbolTable('v2');
    expect(meta.gpt_sovits.symbols_v2_count).toBe(table.length);
    const failed: string[] = [];
    for (const record of records) {
      if (record.error !== undefined) {
        failed.push(record.source);
        continue;
      }
      expect(typeof record.norm_text, record.source).toBe('string');
      expect(record.word2ph, record.source).toBeNull();
      const phones = record.phones ?? [];
      const ids = record.phone_ids ?? [];
      expect(ids.length, record.source).toBe(phones.length);
      for (const id of ids) expect(Number.isInteger(id) && id >= 0 && id < table.length, `${record.source} id ${id}`).toBe(true);
      expect(phones.every((phone) => table.includes(phone)), record.source).toBe(true);
      expect([...symbolIds('v2', phones)], record.source).toEqual(ids);
    }
    expect(failed).toEqual(meta.errors);
    expect(meta.counts['phones']).toBe(records.reduce((n, r) => n + (r.phones?.length ?? 0), 0));
  });

  it('has the split and, per piece passed to pyopenjtalk, the NJD words, labels and prosody symbols', () => {
    let pieces = 0;
    let words = 0;
    let labels = 0;
    expect(meta.njd_fields).toEqual([...NJD_FIELDS]);
    for (const record of records) {
      expect(record.split.pieces.length, record.source).toBe(record.split.marks.length + 1);
      let at = 0;
      for (const piece of record.pieces) {
        expect(piece.text, record.source).not.toBe('');
        at = record.split.pieces.indexOf(piece.text, at) + 1;
        expect(at, `${record.source}: piece ${piece.text} not in the split, in order`).toBeGreaterThan(0);
        for (const word of piece.njd) {
          expect(word, record.source).toHaveLength(NJD_FIELDS.length);
          const node = njdNode(word);
          for (const value of [node.acc, node.moraSize, node.chainFlag]) expect(Number.isInteger(value), record.source).toBe(true);
        }
        const decoded = pieceLabels(piece);
        if (decoded.length > 0) {
          expect(decoded.length, record.source).toBeGreaterThanOrEqual(2);
          expect([piece.label_phonemes[0], piece.label_phonemes.at(-1)], record.source).toEqual(['sil', 'sil']);
          for (const label of decoded) expect(label, record.source).toMatch(/^[^^]+\^[^-]+-[^+]+\+[^=]+=[^/]+\/A:.*\/K:\S+$/u);
        }
        if (piece.prosody === undefined) expect(piece.prosody_error, record.source).toBeDefined();
        else if (piece.prosody.length > 0) {
          expect(piece.prosody[0], record.source).toBe('^');
          expect(['$', '?'], record.source).toContain(piece.prosody.at(-1));
        }
        pieces += 1;
        words += piece.njd.length;
        labels += decoded.length;
      }
    }
    expect({ pieces, words, labels }).toEqual({ pieces: meta.counts['pieces'], words: meta.counts['njd_words'], labels: meta.counts['labels'] });
  });

  it('decodes labels exactly as make_label printed them', () => {
    const first = records.find((r) => r.source === 'ITA/EMOTION100_001')?.pieces[0];
    expect(first).toBeDefined();
    const decoded = first === undefined ? [] : pieceLabels(first);
    expect(decoded[0]).toBe(
      'xx^xx-sil+e=cl/A:xx+xx+xx/B:xx-xx_xx/C:xx_xx+xx/D:09+xx_xx/E:xx_xx!xx_xx-xx/F:xx_xx#xx_xx@xx_xx|xx_xx/G:6_2%0_xx_xx/H:xx_xx/I:xx-xx@xx+xx&xx-xx|xx+xx/J:1_6/K:1+1-6',
    );
    expect(decoded[2]).toBe(
      'sil^e-cl+u=s/A:0+2+5/B:xx-xx_xx/C:09_xx+xx/D:02+xx_xx/E:xx_xx!xx_xx-xx/F:6_2#0_xx@1_1|1_6/G:xx_xx%xx_xx_xx/H:xx_xx/I:1-6@1+1&1-1|1+6/J:xx_xx/K:1+1-6',
    );
  });
});
