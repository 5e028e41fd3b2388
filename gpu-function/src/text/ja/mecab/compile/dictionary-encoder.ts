/**
 * Writes a compiled MeCab dictionary file (the format dictionary-file.ts reads) from its entries, the way MeCab
 * 0.996's `Dictionary::compile` lays it out: features stored in entry order, tokens sorted by surface (stable, so a
 * surface's tokens keep their order) and each distinct surface a trie key whose value is `(first token << 8) |
 * token count`.
 * @module
 */
import { DICTIONARY_MAGIC, DICTIONARY_TYPES, DICTIONARY_VERSION, HEADER_BYTES, TOKEN_BYTES, type DictionaryType } from '../dictionary-file.ts';
import { buildDoubleArray, compareBytes } from './double-array-builder.ts';

/** One CSV line of a MeCab dictionary source: surface, left id, right id, cost, feature. */
export interface DictionaryEntry {
  readonly surface: string;
  readonly leftId: number;
  readonly rightId: number;
  readonly cost: number;
  readonly feature: string;
  readonly posId?: number;
}

export interface DictionaryEncoding {
  readonly type: DictionaryType;
  /** The connection matrix's sizes. */
  readonly leftSize: number;
  readonly rightSize: number;
  readonly entries: readonly DictionaryEntry[];
  readonly charset?: string;
}

const encoder = new TextEncoder();
/** A trie value keeps the token count in its low 8 bits. */
const MAX_TOKENS_PER_SURFACE = 0xff;

export function encodeMecabDictionary(spec: DictionaryEncoding): Uint8Array {
  const features: Uint8Array[] = [];
  let featureBytes = 0;
  const tokens = spec.entries.map((entry, index) => {
    const where = `entry ${index + 1} (${JSON.stringify(entry.surface)})`;
    if (entry.surface === '') throw new Error(`${where}: empty surface`);
    // Dictionary::compile's check: ids index the matrix (left ids its rows of right-node ids, and the reverse).
    if (!(entry.leftId >= 0 && entry.leftId < spec.rightSize && entry.rightId >= 0 && entry.rightId < spec.leftSize)) {
      throw new Error(`${where}: context ids ${entry.leftId}/${entry.rightId} are outside the ${spec.leftSize}×${spec.rightSize} matrix`);
    }
    if (!Number.isInteger(entry.cost) || entry.cost < -32768 || entry.cost > 32767) throw new Error(`${where}: cost ${entry.cost} does not fit a 16-bit integer`);
    const feature = encoder.encode(`${entry.feature}\0`);
    const token = { key: encoder.encode(entry.surface), entry, featureOffset: featureBytes };
    features.push(feature);
    featureBytes += feature.length;
    return token;
  });
  tokens.sort((a, b) => compareBytes(a.key, b.key));

  const keys: { key: Uint8Array; first: number; count: number }[] = [];
  tokens.forEach((token, index) => {
    const last = keys.at(-1);
    if (last !== undefined && compareBytes(last.key, token.key) === 0) last.count += 1;
    else keys.push({ key: token.key, first: index, count: 1 });
  });
  for (const { key, count } of keys) {
    if (count > MAX_TOKENS_PER_SURFACE) throw new Error(`${count} entries for ${JSON.stringify(new TextDecoder().decode(key))}, more than a trie value can count (${MAX_TOKENS_PER_SURFACE})`);
  }
  const units = buildDoubleArray(keys.map(({ key, first, count }) => ({ key, value: first * 256 + count })));

  const dsize = units.byteLength;
  const tsize = tokens.length * TOKEN_BYTES;
  const total = HEADER_BYTES + dsize + tsize + featureBytes;
  const bytes = new Uint8Array(total);
  const view = new DataView(bytes.buffer);
  const header = [total ^ DICTIONARY_MAGIC, DICTIONARY_VERSION, DICTIONARY_TYPES[spec.type], tokens.length, spec.leftSize, spec.rightSize, dsize, tsize, featureBytes, 0];
  header.forEach((word, i) => { view.setUint32(4 * i, word >>> 0, true); });
  bytes.set(encoder.encode(spec.charset ?? 'UTF-8').subarray(0, 31), 40);
  for (let i = 0; i < units.length; i++) view.setInt32(HEADER_BYTES + 4 * i, units[i] ?? 0, true);
  tokens.forEach(({ entry, featureOffset }, i) => {
    const at = HEADER_BYTES + dsize + i * TOKEN_BYTES;
    view.setUint16(at, entry.leftId, true);
    view.setUint16(at + 2, entry.rightId, true);
    view.setUint16(at + 4, entry.posId ?? 0, true);
    view.setInt16(at + 6, entry.cost, true);
    view.setUint32(at + 8, featureOffset, true);
    view.setUint32(at + 12, 0, true);
  });
  let at = HEADER_BYTES + dsize + tsize;
  for (const feature of features) {
    bytes.set(feature, at);
    at += feature.length;
  }
  return bytes;
}
