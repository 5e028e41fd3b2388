/**
 * A compiled MeCab dictionary file (`sys.dic`, `unk.dic`, a user dictionary), as MeCab 0.996's `Dictionary::open`
 * reads it. Little-endian throughout:
 *
 *   u32 magic (file size XOR 0xef718f77), u32 version (102), u32 type (0 system, 1 user, 2 unknown-word),
 *   u32 lexsize, u32 lsize, u32 rsize, u32 dsize, u32 tsize, u32 fsize, u32 reserved, char[32] charset,
 *   dsize bytes of double-array units, tsize bytes of 16-byte tokens, fsize bytes of NUL-terminated features.
 *
 * A trie value packs a key's tokens: `(first token << 8) | count`. A token is u16 left id, u16 right id, u16 POS id,
 * i16 word cost, u32 feature offset, u32 compound (unused by analysis).
 * @module
 */
import { DoubleArray } from './double-array.ts';

export const DICTIONARY_MAGIC = 0xef718f77;
export const DICTIONARY_VERSION = 102;
export const HEADER_BYTES = 72;
export const TOKEN_BYTES = 16;

export const DICTIONARY_TYPES = { system: 0, user: 1, unknown: 2 } as const;
export type DictionaryType = keyof typeof DICTIONARY_TYPES;

/** One token: its connection ids, POS id, word cost and where its feature string starts. */
export interface Token {
  readonly leftId: number;
  readonly rightId: number;
  readonly posId: number;
  readonly wordCost: number;
  readonly featureOffset: number;
}

const UTF8_CHARSETS = new Set(['utf-8', 'utf8']);
const decoder = new TextDecoder('utf-8', { fatal: false });

export class MecabDictionaryFile {
  readonly file: string;
  readonly type: DictionaryType;
  /** Number of tokens. */
  readonly size: number;
  /** Left and right context-id counts of the connection matrix the dictionary was compiled against. */
  readonly leftSize: number;
  readonly rightSize: number;
  readonly charset: string;
  readonly trie: DoubleArray;
  readonly #tokens: DataView;
  readonly #features: Uint8Array;

  constructor(bytes: Uint8Array, file: string) {
    this.file = file;
    if (bytes.byteLength < HEADER_BYTES) throw new Error(`${file}: not a MeCab dictionary (${bytes.byteLength} bytes, shorter than its header)`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const u32 = (index: number): number => view.getUint32(index * 4, true);
    if ((u32(0) ^ DICTIONARY_MAGIC) >>> 0 !== bytes.byteLength) {
      throw new Error(`${file}: not a MeCab dictionary, or a damaged one (its magic number does not match its size)`);
    }
    if (u32(1) !== DICTIONARY_VERSION) throw new Error(`${file}: MeCab dictionary version ${u32(1)}; only version ${DICTIONARY_VERSION} (MeCab 0.996) is read`);
    const type = (Object.keys(DICTIONARY_TYPES) as DictionaryType[]).find((name) => DICTIONARY_TYPES[name] === u32(2));
    if (type === undefined) throw new Error(`${file}: unknown MeCab dictionary type ${u32(2)}`);
    this.type = type;
    this.size = u32(3);
    this.leftSize = u32(4);
    this.rightSize = u32(5);
    const [dsize, tsize, fsize] = [u32(6), u32(7), u32(8)];
    const charsetBytes = bytes.subarray(40, HEADER_BYTES);
    const nul = charsetBytes.indexOf(0);
    this.charset = decoder.decode(nul < 0 ? charsetBytes : charsetBytes.subarray(0, nul));
    if (!UTF8_CHARSETS.has(this.charset.toLowerCase())) {
      throw new Error(`${file}: compiled for charset ${JSON.stringify(this.charset)}; only UTF-8 dictionaries are read`);
    }
    if (HEADER_BYTES + dsize + tsize + fsize !== bytes.byteLength || dsize % 8 !== 0 || tsize % TOKEN_BYTES !== 0) {
      throw new Error(`${file}: damaged MeCab dictionary (its section sizes do not add up to the file's size)`);
    }
    if (this.size > tsize / TOKEN_BYTES) throw new Error(`${file}: damaged MeCab dictionary (${this.size} tokens in a ${tsize}-byte token table)`);
    this.trie = new DoubleArray(int32View(bytes, HEADER_BYTES, dsize / 4));
    this.#tokens = new DataView(bytes.buffer, bytes.byteOffset + HEADER_BYTES + dsize, tsize);
    this.#features = bytes.subarray(HEADER_BYTES + dsize + tsize);
  }

  /** The tokens a trie value points at: first index and count. */
  static tokenRange(value: number): { readonly first: number; readonly count: number } {
    return { first: value >>> 8, count: value & 0xff };
  }

  token(index: number): Token {
    const at = index * TOKEN_BYTES;
    if (index < 0 || at + TOKEN_BYTES > this.#tokens.byteLength) throw new Error(`${this.file}: token ${index} is outside the token table`);
    return {
      leftId: this.#tokens.getUint16(at, true),
      rightId: this.#tokens.getUint16(at + 2, true),
      posId: this.#tokens.getUint16(at + 4, true),
      wordCost: this.#tokens.getInt16(at + 6, true),
      featureOffset: this.#tokens.getUint32(at + 8, true),
    };
  }

  /** The NUL-terminated feature string at `offset`. */
  feature(offset: number): string {
    if (offset >= this.#features.byteLength) throw new Error(`${this.file}: feature offset ${offset} is outside the feature table`);
    const end = this.#features.indexOf(0, offset);
    return decoder.decode(this.#features.subarray(offset, end < 0 ? this.#features.byteLength : end));
  }
}

/** An Int32Array over `count` words at `offset`, copied when the bytes are not 4-byte aligned in their buffer. */
function int32View(bytes: Uint8Array, offset: number, count: number): Int32Array {
  const start = bytes.byteOffset + offset;
  if (start % 4 === 0) return new Int32Array(bytes.buffer, start, count);
  return new Int32Array(bytes.slice(offset, offset + count * 4).buffer);
}
