/**
 * Writers of MeCab 0.996's compiled dictionary formats: the dictionary files (sys.dic, unk.dic, user
 * dictionaries) with their double-array trie, matrix.bin and char.bin.
 * @module
 */
export { buildDoubleArray, compareBytes, type TrieEntry } from './double-array-builder.ts';
export { encodeMecabDictionary, type DictionaryEncoding, type DictionaryEntry } from './dictionary-encoder.ts';
export { encodeMatrix, type MatrixDefinition } from './matrix-encoder.ts';
export { encodeCharProperty, type CharCategory, type CharDefinition } from './char-property-encoder.ts';
