/**
 * One pinyin syllable through pypinyin's strict `to_initials` / `to_finals_tone3` (the `Style.INITIALS` and
 * `Style.FINALS_TONE3` GPT-SoVITS asks for) and then chinese2.py's mapping of (initial, final) onto opencpop phones.
 *
 * Syllables are in TONE3 form with ü written `v` and the neutral tone as 5 (`lv4`, `le5`). Non-Han characters pass
 * through pypinyin unchanged, so their "initial" and "final" are the character itself.
 * @module
 */
import { opencpopPhones } from './opencpop.ts';

export interface InitialFinal {
  /** pypinyin strict initial (`y`/`w` are not initials), '' for none, or the character itself for non-Han. */
  readonly initial: string;
  /** pypinyin strict final with tone digit (`iou3`, `v4`, `er2`), '' when the syllable has none (`hm`, `ng`). */
  readonly final: string;
}

const STRICT_INITIALS = ['b', 'p', 'm', 'f', 'd', 't', 'n', 'l', 'g', 'k', 'h', 'j', 'q', 'x', 'zh', 'ch', 'sh', 'r', 'z', 'c', 's'];
const LOOSE_INITIALS = [...STRICT_INITIALS, 'y', 'w'];
const FINALS = new Set([
  'i', 'u', 'v', 'a', 'ia', 'ua', 'o', 'uo', 'e', 'ie', 've', 'ai', 'uai', 'ei', 'uei', 'ao', 'iao', 'ou', 'iou', 'an',
  'ian', 'uan', 'van', 'en', 'in', 'uen', 'vn', 'ang', 'iang', 'uang', 'eng', 'ing', 'ueng', 'ong', 'iong', 'er', 'ê',
]);

function initialOf(syllable: string, initials: readonly string[]): string {
  for (const initial of initials) if (syllable.startsWith(initial)) return initial;
  return '';
}

/** pypinyin `standard.convert_finals`: undo the spelling rules (zero initials, ü after j/q/x, iu/ui/un). */
function restoreFinals(spelled: string): string {
  let pinyin = spelled;
  if (spelled.startsWith('y')) {
    const rest = spelled.slice(1);
    pinyin = rest.startsWith('u') ? `v${rest.slice(1)}` : rest.startsWith('i') ? rest : `i${rest}`;
  } else if (spelled.startsWith('w')) {
    const rest = spelled.slice(1);
    pinyin = rest.startsWith('u') ? rest : `u${rest}`;
  }
  if (!FINALS.has(pinyin)) pinyin = spelled;
  pinyin = pinyin.replace(/^([jqx])u/, '$1v');
  return pinyin.replace(/^([a-z]+)iu$/, '$1iou').replace(/^([a-z]+)ui$/, '$1uei').replace(/^([a-z]+)un$/, '$1uen');
}

function strictFinal(toneless: string): string {
  const restored = restoreFinals(toneless);
  const final = restored.slice(initialOf(restored, STRICT_INITIALS).length);
  if (FINALS.has(final)) return final;
  const loose = restored.slice(initialOf(restored, LOOSE_INITIALS).length);
  return FINALS.has(loose) ? loose : '';
}

const HAN = /^[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]$/;

/** Initial and final of one character's TONE3 pinyin; `char` decides whether it is a syllable at all. */
export function splitSyllable(char: string, pinyin: string): InitialFinal {
  if (!HAN.test(char) || !/^[a-zê]+[1-5]?$/.test(pinyin)) return { initial: pinyin, final: pinyin };
  const match = /^(.*?)([1-5]?)$/.exec(pinyin);
  const toneless = match?.[1] ?? pinyin;
  const tone = match?.[2] || '5';
  const final = strictFinal(toneless);
  return { initial: initialOf(toneless, STRICT_INITIALS), final: final === '' ? '' : final + tone };
}

const WITH_INITIAL: Readonly<Record<string, string>> = { uei: 'ui', iou: 'iu', uen: 'un' };
const WHOLE_ZERO_INITIAL: Readonly<Record<string, string>> = { ing: 'ying', i: 'yi', in: 'yin', u: 'wu' };
const FIRST_ZERO_INITIAL: Readonly<Record<string, string>> = { v: 'yu', e: 'e', i: 'y', u: 'w' };

/** The symbol emitted for a syllable GPT-SoVITS's table lacks (Python fails an assert there). */
export const UNMAPPED_SYLLABLE = 'UNK';

/**
 * chinese2.py's per-syllable phones: punctuation (initial == final) is one phone; a syllable is
 * `[INITIAL, FINAL+tone]`; a syllable outside opencpop (`hm`, `ng`, `ê`) becomes one `UNK`.
 */
export function syllablePhones({ initial, final }: InitialFinal): string[] {
  if (initial === final) return [initial];
  const tone = final.slice(-1);
  const bare = final.slice(0, -1);
  let pinyin: string;
  if (initial !== '') {
    pinyin = initial + (WITH_INITIAL[bare] ?? bare);
  } else {
    pinyin = WHOLE_ZERO_INITIAL[bare] ?? bare;
    const first = FIRST_ZERO_INITIAL[bare.charAt(0)];
    if (WHOLE_ZERO_INITIAL[bare] === undefined && first !== undefined) pinyin = first + bare.slice(1);
  }
  const phones = /^[1-5]$/.test(tone) ? opencpopPhones(pinyin) : undefined;
  return phones ? [phones[0], phones[1] + tone] : [UNMAPPED_SYLLABLE];
}
