/**
 * Where per-word pinyin comes from: GPT-SoVITS calls pypinyin's `lazy_pinyin(word, TONE3, neutral_tone_with_five)`
 * on every jieba word.
 *
 * pypinyin's dictionaries are not published on npm, so the default source is pinyin-pro (npm), asked for the same
 * word with tone sandhi off; its readings agree with pypinyin on about 99 % of characters (the README lists where
 * they differ). When the user supplies pypinyin's own `pinyin_dict.json` and `phrases_dict.json` (from the
 * GPT-SoVITS Python environment), {@link createPypinyinSource} reproduces `lazy_pinyin` exactly.
 * @module
 */
import { pinyin } from 'pinyin-pro';

/**
 * TONE3 pinyin per UTF-16 character of a text (`lv4`, `le5`); a non-Han character is returned as itself.
 * `context` says what the source is given: each jieba word (as pypinyin is) or the whole punctuation-delimited
 * segment, for a source that picks readings from sentence context.
 */
export interface PinyinSource {
  readonly context: 'word' | 'segment';
  readonly read: (text: string) => string[];
}

const HAN_RUN = /[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+/g;

/** Calls `convertRun` on each Han run and keeps every other character as itself, as pypinyin's `errors='default'`. */
export function perCharacter(word: string, convertRun: (run: string) => string[]): string[] {
  const result: string[] = [];
  let last = 0;
  for (const match of word.matchAll(HAN_RUN)) {
    for (let i = last; i < match.index; i += 1) result.push(word[i] as string);
    const readings = convertRun(match[0]);
    for (let i = 0; i < match[0].length; i += 1) result.push(readings[i] ?? (match[0][i] as string));
    last = match.index + match[0].length;
  }
  for (let i = last; i < word.length; i += 1) result.push(word[i] as string);
  return result;
}

function fromPinyinPro(reading: string, char: string): string {
  if (reading === char) return char;
  const tone3 = reading.replace('ü', 'v');
  if (tone3.endsWith('0')) return `${tone3.slice(0, -1)}5`;
  return /[1-5]$/.test(tone3) ? tone3 : `${tone3}5`;
}

/** Bounded memo: sentences repeat words constantly, and both sources are pure. */
export function memoize(read: (text: string) => string[], limit = 50_000): (text: string) => string[] {
  const cache = new Map<string, string[]>();
  return (text) => {
    const hit = cache.get(text);
    if (hit) return hit;
    const value = read(text);
    if (cache.size >= limit) cache.clear();
    cache.set(text, value);
    return value;
  };
}

/**
 * pinyin-pro over the whole segment: its context rules pick a polyphone's reading from the neighbouring words,
 * which matches pypinyin's phrase dictionary far more often than asking it about each word alone (92 % vs 78 % of
 * whole test sentences). Its 一/不 sandhi is left on because pypinyin's phrase dictionary bakes the same sandhi into
 * many phrases (一百 yì bǎi, 不要 bú yào); ToneSandhi then runs on top, as in GPT-SoVITS. One-character words follow
 * the sentence context, where pypinyin uses the character's default reading.
 */
export const pinyinProSource: PinyinSource = {
  context: 'segment',
  read: memoize((text) =>
    perCharacter(text, (run) => {
      const readings = pinyin(run, { type: 'array', toneType: 'num', v: true, toneSandhi: true });
      return readings.map((reading, i) => fromPinyinPro(reading, run[i] ?? ''));
    }),
  ),
};
