/**
 * GPT-SoVITS's `english.text_normalize`: punctuation mapping, `expend.normalize`, then collapsing punctuation runs.
 *
 * english.py builds its punctuation map by `re.escape`-ing the keys, so the two character-class keys (`[;:：，；]` and
 * `["’]`) only ever match those literal strings: `:` `;` `，` and curly quotes are *not* mapped and are later dropped
 * by the character filter. We reproduce that, since the model never saw them mapped.
 * @module
 */
import { expandEnglish } from './expand.ts';

const PUNCTUATION_MAP: readonly (readonly [string, string])[] = [
  ['[;:：，；]', ','],
  ['["’]', "'"],
  ['。', '.'],
  ['！', '!'],
  ['？', '?'],
];

/** A punctuation mark (or whitespace) followed by more punctuation keeps only the first: `"!?"` → `"!"`, `" ,"` → `" "`. */
const PUNCTUATION_RUN = /([!?…,.\-\s])[!?…,.-]+/gu;

export function collapseEnglishPunctuation(text: string): string {
  return text.replace(PUNCTUATION_RUN, '$1');
}

export function normalizeEnglish(text: string): string {
  let mapped = text;
  for (const [from, to] of PUNCTUATION_MAP) mapped = mapped.replaceAll(from, to);
  return collapseEnglishPunctuation(expandEnglish(mapped));
}
