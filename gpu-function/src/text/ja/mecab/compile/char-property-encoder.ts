/**
 * Writes a MeCab `char.bin` (the format char-property.ts reads) from `char.def`'s content, as
 * `CharProperty::compile` does: categories get ids in definition order; every code point starts as DEFAULT; each
 * range, in order, sets its code points to its first category's flags with every listed category in the set.
 * @module
 */

export interface CharCategory {
  readonly name: string;
  /** Always add unknown words, even where a dictionary word matches. */
  readonly invoke: boolean;
  /** Add one unknown word over the whole run of this category. */
  readonly group: boolean;
  /** Also add unknown words of 1..length characters. */
  readonly length: number;
}

export interface CharDefinition {
  readonly categories: readonly CharCategory[];
  /** `0xLOW..0xHIGH CATEGORY [CATEGORY...]` lines. */
  readonly ranges: readonly { readonly low: number; readonly high: number; readonly categories: readonly string[] }[];
}

const TABLE_SIZE = 0xffff;
const NAME_BYTES = 32;
/** The set of categories is 18 bits wide. */
const MAX_CATEGORIES = 17;

export function encodeCharProperty(definition: CharDefinition): Uint8Array {
  const { categories } = definition;
  if (categories.length > MAX_CATEGORIES) throw new Error(`too many character categories (${categories.length}, at most ${MAX_CATEGORIES})`);
  const ids = new Map(categories.map((category, id) => [category.name, id]));
  for (const required of ['DEFAULT', 'SPACE']) if (!ids.has(required)) throw new Error(`character category ${required} is not defined`);
  const info = (names: readonly string[]): number => {
    const first = categories[ids.get(names[0] ?? '') ?? -1];
    if (first === undefined) throw new Error(`character category ${names[0] ?? '(none)'} is not defined`);
    let types = 0;
    for (const name of names) {
      const id = ids.get(name);
      if (id === undefined) throw new Error(`character category ${name} is not defined`);
      types += 1 << id;
    }
    const id = ids.get(first.name) ?? 0;
    return ((types & 0x3ffff) | (id << 18) | ((first.length & 0xf) << 26) | (Number(first.group) << 30) | (Number(first.invoke) << 31)) >>> 0;
  };
  const table = new Uint32Array(TABLE_SIZE).fill(info(['DEFAULT']));
  for (const range of definition.ranges) {
    if (!(range.low >= 0 && range.low <= range.high && range.high < TABLE_SIZE)) throw new Error(`character range ${range.low}..${range.high} is out of range`);
    table.fill(info(range.categories), range.low, range.high + 1);
  }
  const bytes = new Uint8Array(4 + NAME_BYTES * categories.length + 4 * TABLE_SIZE);
  const view = new DataView(bytes.buffer);
  view.setUint32(0, categories.length, true);
  const encoder = new TextEncoder();
  categories.forEach((category, id) => { bytes.set(encoder.encode(category.name).subarray(0, NAME_BYTES - 1), 4 + NAME_BYTES * id); });
  const start = 4 + NAME_BYTES * categories.length;
  table.forEach((value, code) => { view.setUint32(start + 4 * code, value, true); });
  return bytes;
}
