/**
 * OpenJTalk's `njd_set_digit`: numbers written in digits are read as Japanese numerals. Not written yet; the
 * pipeline passes digits through with their dictionary readings.
 * @module
 */
import type { NjdWordList } from './word.ts';

export function setDigit(_words: NjdWordList): void {}
