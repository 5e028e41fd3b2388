/**
 * chinese2.py's `replace_punctuation` and `replace_consecutive_punctuation`: map punctuation to the six phone
 * symbols `! ? … , . -`, delete every other character outside U+4E00-U+9FA5, collapse punctuation runs.
 * @module
 */

const PUNCTUATION_MAP: Readonly<Record<string, string>> = {
  '：': ',', '；': ',', '，': ',', '。': '.', '！': '!', '？': '?', '\n': '.', '·': ',', '、': ',', '...': '…', $: '.',
  '/': ',', '—': '-', '~': '…', '～': '…',
};
const PUNCTUATION_PATTERN = /：|；|，|。|！|？|\n|·|、|\.\.\.|\$|\/|—|~|～/g;
const OUTSIDE_ZH = /[^\u4e00-\u9fa5!?…,.-]+/g;
const PUNCTUATION_RUN = /([!?…,.-])[!?…,.-]+/g;

export function replacePunctuation(text: string): string {
  return text
    .replaceAll('嗯', '恩')
    .replaceAll('呣', '母')
    .replace(PUNCTUATION_PATTERN, (mark) => PUNCTUATION_MAP[mark] ?? mark)
    .replace(OUTSIDE_ZH, '');
}

export function collapsePunctuationRuns(text: string): string {
  return text.replace(PUNCTUATION_RUN, '$1');
}
