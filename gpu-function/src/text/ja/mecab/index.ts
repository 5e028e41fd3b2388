/**
 * A MeCab 0.996-compatible morphological analyser in TypeScript over a compiled dictionary folder (pyopenjtalk's
 * `open_jtalk_dic_utf_8-1.11`, or Debian's open-jtalk-mecab-naist-jdic): the dictionary file readers
 * (dictionary-file.ts, double-array.ts, matrix.ts, char-property.ts), unknown words (tokenizer.ts) and the best
 * path (viterbi.ts).
 * @module
 */
export { MecabAnalyser, type MecabAnalysis, type Morpheme } from './analyser.ts';
export { loadMecabDictionary, mecabDictionaryFromBytes, MECAB_DICTIONARY_FILES, type MecabDictionary, type MecabDictionaryFileName } from './dictionary-folder.ts';
