/**
 * OpenJTalk's `njd_set_long_vowel`. OpenJTalk 1.11 (and pyopenjtalk's fork) keeps the rule in the pipeline but turns
 * it off ("long vowel estimator is deprecated": its body is compiled out), so pronunciations such as ケイ stay as
 * the dictionary spells them. It is kept as a step so the pipeline reads as OpenJTalk's does.
 * @module
 */
import type { NjdWordList } from './word.ts';

export function setLongVowel(_words: NjdWordList): void {
  // Deliberately nothing: see the module comment.
}
