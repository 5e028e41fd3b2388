/**
 * Checks and clean-up shared by both Mandarin paths: the input bound, and the cleaner's UNK substitution.
 * @module
 */
import { hasSymbol, UNKNOWN_SYMBOL } from '../symbols.ts';
import type { SymbolTableVersion } from '../types.ts';

/** Longest input accepted, in UTF-16 units: far above any TTS request, low enough to bound time and memory. */
export const MAX_ZH_TEXT_LENGTH = 1_000_000;

export function assertConvertible(text: string): void {
  if (typeof text !== 'string') throw new TypeError('zh text must be a string');
  if (text.length > MAX_ZH_TEXT_LENGTH) {
    throw new RangeError(`zh text is ${text.length} characters long; the limit is ${MAX_ZH_TEXT_LENGTH}`);
  }
}

/** GPT-SoVITS's cleaner turns every phone missing from the table into UNK. */
export function toTableSymbols(phones: readonly string[], version: SymbolTableVersion): string[] {
  return phones.map((phone) => (hasSymbol(version, phone) ? phone : UNKNOWN_SYMBOL));
}

