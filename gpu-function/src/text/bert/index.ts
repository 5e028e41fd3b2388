/**
 * BERT features for Mandarin: WordPiece tokenization from the bundle's `vocab.txt` and batched layer −3 features
 * expanded to phones.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { WordPieceTokenizer } from './wordpiece.ts';

export { basicTokenize, WordPieceTokenizer } from './wordpiece.ts';
export { bertFeatures, expandToPhones, segmentTokenIds, type BertSegment } from './features.ts';

export async function loadBertTokenizer(vocabPath: string): Promise<WordPieceTokenizer> {
  return WordPieceTokenizer.fromVocabText(await readFile(vocabPath, 'utf8'));
}
