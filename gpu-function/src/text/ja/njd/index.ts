/**
 * OpenJTalk's NJD stage in TypeScript: from MeCab's words to the words pyopenjtalk's `run_frontend` returns
 * (readings, accent phrases, accent types, devoiced vowels), one module per OpenJTalk rule.
 * @module
 */
export type { NjdNode } from './node.ts';
export { runNjd, NJD_RULES } from './run-njd.ts';
export { text2mecab } from './text2mecab.ts';
