/**
 * The nodes MeCab puts into the lattice at one byte position (`Tokenizer::lookup` in MeCab 0.996): leading
 * characters of the SPACE category are skipped (they are folded into the node's `rlength`), every dictionary
 * entry that is a prefix of the rest is added, and unknown words are added by the category of the first character,
 * as `char.def` defines it: always when the category is `invoke` or nothing matched; one grouped node over the run
 * of same-category characters (at most `max-grouping-size` more characters) when it is `group`; and one node for
 * each length 1..`length` characters, stopping at a character of another category.
 * @module
 */
import { charDefaultType, charGroup, charInvoke, charLength, isKindOf, readChar, type CharInfo, type CharProperty } from './char-property.ts';
import { MecabDictionaryFile, type Token } from './dictionary-file.ts';
import { LatticeNode, NODE_STATUS } from './lattice-node.ts';

/** MeCab's `DEFAULT_MAX_GROUPING_SIZE`; OpenJTalk sets no `max-grouping-size`, so this is what pyopenjtalk uses. */
export const DEFAULT_MAX_GROUPING_SIZE = 24;
/** MeCab looks at most this many bytes ahead of a position. */
const MAX_LOOKAHEAD = 65535;

export interface TokenizerParts {
  /** The system dictionary first, then user dictionaries, in the order MeCab searches them. */
  readonly dictionaries: readonly MecabDictionaryFile[];
  readonly unknown: MecabDictionaryFile;
  readonly chars: CharProperty;
  readonly maxGroupingSize?: number;
}

export class Tokenizer {
  readonly #dictionaries: readonly MecabDictionaryFile[];
  readonly #unknown: MecabDictionaryFile;
  readonly #chars: CharProperty;
  readonly #maxGroupingSize: number;
  /** The unknown-word tokens of each character category, by category id. */
  readonly #unknownTokens: readonly (readonly Token[])[];
  /** The categories of U+0020, which MeCab takes as "space" (`space_`). */
  readonly #space: CharInfo;

  constructor(parts: TokenizerParts) {
    this.#dictionaries = parts.dictionaries;
    this.#unknown = parts.unknown;
    this.#chars = parts.chars;
    this.#maxGroupingSize = parts.maxGroupingSize ?? DEFAULT_MAX_GROUPING_SIZE;
    const encoder = new TextEncoder();
    this.#unknownTokens = parts.chars.categories.map((name) => {
      const value = parts.unknown.trie.exactMatchSearch(encoder.encode(name));
      if (value < 0) throw new Error(`${parts.unknown.file}: no unknown-word entry for the character category ${name}`);
      const { first, count } = MecabDictionaryFile.tokenRange(value);
      return Array.from({ length: count }, (_, k) => parts.unknown.token(first + k));
    });
    this.#space = parts.chars.infoOf(0x20);
  }

  /**
   * The nodes starting at byte `begin` of `sentence`, linked through `bnext` newest first (MeCab's order), or
   * undefined when there are none.
   */
  lookup(sentence: Uint8Array, begin: number): LatticeNode | undefined {
    const end = Math.min(sentence.byteLength, begin + MAX_LOOKAHEAD);
    const chars = this.#chars;
    // Skip spaces: each character is compared with the one before it, starting from U+0020 (seekToOtherType).
    let begin2 = begin;
    let cinfo: CharInfo = 0;
    let mblen = 0;
    for (let previous = this.#space; begin2 < end; ) {
      const char = readChar(sentence, begin2, end);
      cinfo = chars.infoOf(char.code);
      mblen = char.length;
      if (!isKindOf(previous, cinfo)) break;
      begin2 += mblen;
      previous = cinfo;
    }
    const charType = charDefaultType(cinfo);
    let result: LatticeNode | undefined;

    for (const dictionary of this.#dictionaries) {
      for (const match of dictionary.trie.commonPrefixSearch(sentence, begin2, end)) {
        const { first, count } = MecabDictionaryFile.tokenRange(match.value);
        for (let k = 0; k < count; k++) {
          const node = tokenNode(dictionary, dictionary.token(first + k));
          node.surfaceStart = begin2;
          node.length = match.length;
          node.rlength = begin2 - begin + match.length;
          node.charType = charType;
          node.bnext = result;
          result = node;
        }
      }
    }
    if (result !== undefined && !charInvoke(cinfo)) return result;

    const addUnknown = (wordEnd: number): void => {
      for (const token of this.#unknownTokens[charType] ?? []) {
        const node = tokenNode(this.#unknown, token);
        node.charType = charType;
        node.surfaceStart = begin2;
        node.length = wordEnd - begin2;
        node.rlength = wordEnd - begin;
        node.status = NODE_STATUS.unknown;
        node.bnext = result;
        result = node;
      }
    };

    let begin3 = begin2 + mblen;
    let groupEnd = -1;
    if (begin3 > end) {
      // Only spaces were left: MeCab adds an unknown word one character past the end, which no path can use.
      addUnknown(begin3);
      if (result !== undefined) return result;
    }
    if (charGroup(cinfo)) {
      let p = begin3;
      let run = 0;
      for (let previous = cinfo; p < end; ) {
        const char = readChar(sentence, p, end);
        const info = chars.infoOf(char.code);
        if (!isKindOf(previous, info)) break;
        p += char.length;
        run++;
        previous = info;
      }
      if (run <= this.#maxGroupingSize) addUnknown(p);
      groupEnd = p;
    }
    // One node per length; MeCab's loop skips (and so ends at) the length the group already covered.
    for (let i = 1; i <= charLength(cinfo); i++) {
      if (begin3 > end || begin3 === groupEnd) break;
      addUnknown(begin3);
      const char = readChar(sentence, begin3, end);
      if (!isKindOf(cinfo, chars.infoOf(char.code))) break;
      begin3 += char.length;
    }
    if (result === undefined) addUnknown(begin3);
    return result;
  }
}

function tokenNode(dictionary: MecabDictionaryFile, token: Token): LatticeNode {
  const node = new LatticeNode();
  node.leftId = token.leftId;
  node.rightId = token.rightId;
  node.posId = token.posId;
  node.wordCost = token.wordCost;
  node.dictionary = dictionary;
  node.featureOffset = token.featureOffset;
  return node;
}
