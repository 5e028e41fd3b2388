/**
 * MeCab's analysis of one sentence over a compiled dictionary, as OpenJTalk runs it (`Mecab_analysis`: the
 * sentence as one lattice, the best path, each word's surface and feature string). OpenJTalk reads no `dicrc`;
 * its built-in settings that bear on analysis are MeCab's defaults (no `unk-feature`, `max-grouping-size` 24).
 * @module
 */
import { NODE_STATUS, type LatticeNode } from './lattice-node.ts';
import type { MecabDictionary } from './dictionary-folder.ts';
import { Tokenizer } from './tokenizer.ts';
import { bestPath } from './viterbi.ts';

/** One word of the best path. */
export interface Morpheme {
  readonly surface: string;
  /** The dictionary's comma-separated feature string (for NAIST-JDIC: POS ×4, conjugation ×2, base, reading, pronunciation, accent, chain rule). */
  readonly feature: string;
  /** Made by unknown-word handling (unk.dic) rather than found in a dictionary. */
  readonly unknown: boolean;
  readonly leftId: number;
  readonly rightId: number;
  readonly wordCost: number;
  /** Cost of the best path up to and including this word. */
  readonly pathCost: number;
}

export interface MecabAnalysis {
  readonly morphemes: Morpheme[];
  /** Cost of the whole best path. */
  readonly cost: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class MecabAnalyser {
  readonly #dictionary: MecabDictionary;
  readonly #tokenizer: Tokenizer;

  constructor(dictionary: MecabDictionary) {
    this.#dictionary = dictionary;
    this.#tokenizer = new Tokenizer({ dictionaries: [dictionary.system, ...dictionary.users], unknown: dictionary.unknown, chars: dictionary.chars });
  }

  analyse(sentence: string): MecabAnalysis {
    const bytes = encoder.encode(sentence);
    const path = bestPath(bytes, this.#tokenizer, this.#dictionary.matrix);
    return { morphemes: path.nodes.map((node) => morpheme(bytes, node)), cost: path.cost };
  }
}

function morpheme(bytes: Uint8Array, node: LatticeNode): Morpheme {
  if (node.dictionary === undefined) throw new Error('internal: a word node without a dictionary');
  return {
    surface: decoder.decode(bytes.subarray(node.surfaceStart, node.surfaceStart + node.length)),
    feature: node.dictionary.feature(node.featureOffset),
    unknown: node.status === NODE_STATUS.unknown,
    leftId: node.leftId,
    rightId: node.rightId,
    wordCost: node.wordCost,
    pathCost: node.cost,
  };
}
