/**
 * Writers of MeCab 0.996's compiled dictionary formats: the dictionary files (sys.dic, unk.dic, user
 * dictionaries) with their double-array trie, matrix.bin and char.bin; and `mecab-dict-index -u`: a user-dictionary
 * CSV compiled against a system dictionary, byte for byte as pyopenjtalk's `mecab_dict_index` writes it.
 * @module
 */
export { buildDoubleArray, compareBytes, type TrieEntry } from './double-array-builder.ts';
export { encodeMecabDictionary, type DictionaryEncoding, type DictionaryEntry } from './dictionary-encoder.ts';
export { encodeMatrix, type MatrixDefinition } from './matrix-encoder.ts';
export { encodeCharProperty, type CharCategory, type CharDefinition } from './char-property-encoder.ts';
export { compileUserDictionary, userDictionaryEntries, type DictionaryDefinitions } from './user-dictionary.ts';
