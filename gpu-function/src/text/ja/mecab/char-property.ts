/**
 * MeCab's character categories (`char.bin`, compiled from `char.def`; `CharProperty::open`): u32 category count,
 * 32-byte NUL-padded category names, then one little-endian u32 `CharInfo` for each of the code points
 * 0x0000-0xFFFE. A `CharInfo` packs, from the low bit (GCC's bit-field order): an 18-bit set of categories the
 * character belongs to, the 8-bit id of its first (default) category, that category's 4-bit maximum unknown-word
 * length, its group flag and its invoke flag.
 *
 * Characters are read from UTF-8 the way MeCab's `utf8_to_ucs2` reads them: 1-3 byte sequences give their code
 * point, longer ones (everything outside the BMP) and stray bytes give code point 0, and the byte after the
 * sentence reads as NUL.
 * @module
 */

/** One character's categories, as a plain number (the packed `CharInfo`) so the lattice allocates nothing. */
export type CharInfo = number;

export const charTypes = (info: CharInfo): number => info & 0x3ffff;
export const charDefaultType = (info: CharInfo): number => (info >>> 18) & 0xff;
export const charLength = (info: CharInfo): number => (info >>> 26) & 0xf;
export const charGroup = (info: CharInfo): boolean => ((info >>> 30) & 1) === 1;
export const charInvoke = (info: CharInfo): boolean => info >>> 31 === 1;
/** MeCab's `CharInfo::isKindOf`: whether the two share a category. */
export const isKindOf = (info: CharInfo, other: CharInfo): boolean => (info & other & 0x3ffff) !== 0;

/** The table has 0xFFFF entries; MeCab reads U+FFFF one entry past it, where the mapped file is zero-filled. */
const TABLE_SIZE = 0xffff;
const NAME_BYTES = 32;

export class CharProperty {
  /** Category names in id order. */
  readonly categories: readonly string[];
  readonly #table: Uint32Array;

  constructor(bytes: Uint8Array, file: string) {
    if (bytes.byteLength < 4) throw new Error(`${file}: not a MeCab char.bin (${bytes.byteLength} bytes)`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const count = view.getUint32(0, true);
    const expected = 4 + NAME_BYTES * count + 4 * TABLE_SIZE;
    if (expected !== bytes.byteLength) {
      throw new Error(`${file}: damaged MeCab char.bin (${count} categories need ${expected} bytes, the file has ${bytes.byteLength})`);
    }
    const decoder = new TextDecoder();
    const categories: string[] = [];
    for (let i = 0; i < count; i++) {
      const name = bytes.subarray(4 + NAME_BYTES * i, 4 + NAME_BYTES * (i + 1));
      const nul = name.indexOf(0);
      categories.push(decoder.decode(nul < 0 ? name : name.subarray(0, nul)));
    }
    this.categories = categories;
    this.#table = new Uint32Array(TABLE_SIZE + 1);
    const tableStart = 4 + NAME_BYTES * count;
    for (let code = 0; code < TABLE_SIZE; code++) this.#table[code] = view.getUint32(tableStart + 4 * code, true);
    for (let code = 0; code < TABLE_SIZE; code++) {
      const defaultType = charDefaultType(this.#table[code] ?? 0);
      if (defaultType >= count) throw new Error(`${file}: U+${code.toString(16).toUpperCase().padStart(4, '0')} has category id ${defaultType}, outside its ${count} categories`);
    }
  }

  /** The categories of the BMP code point `code` (0 for U+FFFF, as explained above). */
  infoOf(code: number): CharInfo {
    return this.#table[code] ?? 0;
  }
}

/**
 * The character at `pos` as MeCab reads it with `end` as the end of the text it may look at: its code point (0 for
 * anything MeCab cannot map to UCS-2) and its length in bytes. `bytes` beyond its length read as NUL, as MeCab's
 * NUL-terminated sentence does.
 */
export function readChar(bytes: Uint8Array, pos: number, end: number): { readonly code: number; readonly length: number } {
  const b0 = bytes[pos] ?? 0;
  const available = end - pos;
  if (b0 < 0x80) return { code: b0, length: 1 };
  const b1 = bytes[pos + 1] ?? 0;
  if (available >= 2 && (b0 & 0xe0) === 0xc0) return { code: ((b0 & 0x1f) << 6) | (b1 & 0x3f), length: 2 };
  const b2 = bytes[pos + 2] ?? 0;
  if (available >= 3 && (b0 & 0xf0) === 0xe0) return { code: ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f), length: 3 };
  if (available >= 4 && (b0 & 0xf8) === 0xf0) return { code: 0, length: 4 };
  if (available >= 5 && (b0 & 0xfc) === 0xf8) return { code: 0, length: 5 };
  if (available >= 6 && (b0 & 0xfe) === 0xfc) return { code: 0, length: 6 };
  return { code: 0, length: 1 };
}
