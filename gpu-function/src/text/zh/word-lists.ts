/**
 * The word lists GPT-SoVITS's Mandarin rules consult: ToneSandhi's `must_neural_tone_words` /
 * `must_not_neural_tone_words` (text/tone_sandhi.py) and `_merge_erhua`'s `must_erhua` / `not_erhua`
 * (text/chinese2.py). They are GPT-SoVITS's data, so none ships here: the bundle command reads them out of the
 * user's own GPT-SoVITS installation (`--gpt-sovits-dir`), and without them every list is empty.
 * @module
 */

export interface ZhWordLists {
  /** Words whose last syllable is always neutral (tone 5). */
  readonly mustNeutralTone: ReadonlySet<string>;
  /** Words that keep their full tone although a neutral-tone rule would match them. */
  readonly mustNotNeutralTone: ReadonlySet<string>;
  /** Words whose 儿 is always erhua. */
  readonly mustErhua: ReadonlySet<string>;
  /** Words whose 儿 is a full syllable. */
  readonly notErhua: ReadonlySet<string>;
}

/** No GPT-SoVITS data: the rules run without their exception lists. */
export const EMPTY_ZH_WORD_LISTS: ZhWordLists = {
  mustNeutralTone: new Set(),
  mustNotNeutralTone: new Set(),
  mustErhua: new Set(),
  notErhua: new Set(),
};
