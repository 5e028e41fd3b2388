/**
 * Test support: reads the Japanese g2p parity fixture (test/fixtures/ja-g2p, written by
 * scripts/parity/python/make_ja_g2p_fixture.py with GPT-SoVITS's own `clean_text(text, 'ja', 'v2')` over pyopenjtalk
 * 0.4.1), so the NJD-rule, JPCommon-label and whole-frontend parity tests compare stage by stage. It only decodes the
 * fixture's two compact encodings: NJD words are stored as arrays in `meta.json`'s `njd_fields` order (returned
 * here as {@link NjdNode}s), full-context labels as each label's phoneme plus only the context sections that changed
 * (returned here as the label strings pyopenjtalk's `make_label` printed).
 * @module
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { NjdNode } from '../src/text/ja/njd/node.ts';

export const JA_G2P_FIXTURE = new URL('./fixtures/ja-g2p/', import.meta.url);

/** run_frontend's fields in the fixture's array order (meta.json's `njd_fields`). */
export const NJD_FIELDS = [
  'string', 'pos', 'pos_group1', 'pos_group2', 'pos_group3', 'ctype', 'cform',
  'orig', 'read', 'pron', 'acc', 'mora_size', 'chain_rule', 'chain_flag',
] as const;

export type NjdArray = [string, string, string, string, string, string, string, string, string, string, number, number, string, number];

/** One line of expected.jsonl.gz as stored. */
export interface JaG2pRecord {
  readonly source: string;
  readonly text: string;
  /** clean_text's result; absent when it raised (then `error` says what). */
  readonly norm_text?: string;
  readonly phones?: readonly string[];
  /** Always null for Japanese (recorded because clean_text returns it). */
  readonly word2ph?: null;
  readonly phone_ids?: readonly number[];
  readonly error?: string;
  /** preprocess_jap's `re.split(_japanese_marks, text)` and `re.findall(_japanese_marks, text)`, on the text after
   * symbols_to_japanese and lower(). */
  readonly split: { readonly pieces: readonly string[]; readonly marks: readonly string[] };
  /** Each piece japanese.py passed to `pyopenjtalk_g2p_prosody`, in order. */
  readonly pieces: readonly JaG2pPiece[];
}

export interface JaG2pPiece {
  readonly text: string;
  /** pyopenjtalk.run_frontend(text), one array per word. */
  readonly njd: readonly NjdArray[];
  readonly label_phonemes: readonly string[];
  readonly label_contexts: readonly string[];
  /** pyopenjtalk_g2p_prosody(text) (before japanese.py drops its first and last symbol). */
  readonly prosody?: readonly string[];
  readonly prosody_error?: string;
}

export interface JaG2pMeta {
  readonly counts: Readonly<Record<string, number>>;
  readonly errors: readonly string[];
  readonly njd_fields: readonly string[];
  readonly sources: Readonly<Record<string, { readonly sentences: number; readonly licence?: string }>>;
  readonly gpt_sovits: { readonly commit: string; readonly symbols_v2_count: number; readonly user_dictionary: { readonly applied: boolean } };
  readonly dictionary: { readonly sha256: Readonly<Record<string, string>> };
  readonly [key: string]: unknown;
}

export function readJaG2pMeta(): JaG2pMeta {
  return JSON.parse(readFileSync(new URL('meta.json', JA_G2P_FIXTURE), 'utf8')) as JaG2pMeta;
}

export function readJaG2pFixture(): JaG2pRecord[] {
  return gunzipSync(readFileSync(new URL('expected.jsonl.gz', JA_G2P_FIXTURE)))
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JaG2pRecord);
}

/** A stored NJD word as the NJD contract's node (camel-cased field names). */
export function njdNode(word: NjdArray): NjdNode {
  const [string, pos, posGroup1, posGroup2, posGroup3, ctype, cform, orig, read, pron, acc, moraSize, chainRule, chainFlag] = word;
  return { string, pos, posGroup1, posGroup2, posGroup3, ctype, cform, orig, read, pron, acc, moraSize, chainRule, chainFlag };
}

const SECTION_TAGS = ['A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K'] as const;

/**
 * The full-context labels of a piece, as pyopenjtalk's `make_label` printed them: `p1^p2-p3+p4=p5` from the
 * neighbouring phonemes (`xx` past either end), then the eleven sections /A: ... /K:, each taken from the label's
 * stored context or, when it does not repeat it, from the previous label's.
 */
export function decodeLabels(phonemes: readonly string[], contexts: readonly string[]): string[] {
  if (phonemes.length !== contexts.length) throw new Error(`${phonemes.length} phonemes but ${contexts.length} contexts`);
  const padded = ['xx', 'xx', ...phonemes, 'xx', 'xx'];
  const current = new Map<string, string>();
  return phonemes.map((p3, i) => {
    for (const section of (contexts[i] ?? '').split(/(?=\/[A-K]:)/u)) {
      if (section === '') continue;
      if (!/^\/[A-K]:[^/]*$/u.test(section)) throw new Error(`bad label context section ${section}`);
      current.set(section.charAt(1), section);
    }
    const sections = SECTION_TAGS.map((tag) => {
      const section = current.get(tag);
      if (section === undefined) throw new Error(`label ${i} lacks section /${tag}:`);
      return section;
    });
    return `${padded[i] ?? ''}^${padded[i + 1] ?? ''}-${p3}+${padded[i + 3] ?? ''}=${padded[i + 4] ?? ''}${sections.join('')}`;
  });
}

/** A piece's labels (make_label(run_frontend(piece))). */
export const pieceLabels = (piece: JaG2pPiece): string[] => decodeLabels(piece.label_phonemes, piece.label_contexts);
