import { describe, expect, it } from 'vitest';
import { setPronunciation } from './set-pronunciation.ts';
import { brief, wordsOf } from './test-words.ts';

const SYMBOL = (text: string): [string, string] => [text, `記号,一般,*,*,*,*,${text},${text},${text},*/*,*`];
const UNKNOWN = (text: string): [string, string] => [text, '名詞,一般,*,*,*,*,*'];

describe('njd_set_pronunciation', () => {
  it('reads unread kana and Latin letters as fillers, merging one-mora runs', () => {
    const words = wordsOf(UNKNOWN('ゔぁ'), UNKNOWN('ー'), UNKNOWN('ｘ'));
    setPronunciation(words);
    expect(brief(words)).toEqual(['ゔぁーｘ:ヴァーエックス:0/6:-1']);
    expect(words.head?.pos).toBe('フィラー');
    expect(words.head?.posGroup1).toBe('*');
  });

  it('does not merge a word of several morae into a run', () => {
    const words = wordsOf(UNKNOWN('あ'), UNKNOWN('かな'), UNKNOWN('い'));
    setPronunciation(words);
    expect(brief(words)).toEqual(['あ:ア:0/1:-1', 'かな:カナ:0/2:-1', 'い:イ:0/1:-1']);
  });

  it('reads ？ as itself, other symbols as a pause, and drops words that have morae but no pronunciation', () => {
    const words = wordsOf(SYMBOL('？'), ['「', '記号,括弧開,*,*,*,*,「,「,「,*/*,*'], ['謎', '名詞,一般,*,*,*,*,謎,*,*,1/2,C1']);
    setPronunciation(words);
    expect(brief(words)).toEqual(['？:？:0/0:-1', '「:、:0/0:-1']);
    expect([...words].map((word) => word.pos)).toEqual(['記号', '記号']);
  });

  it('reads the auxiliary ウ after a verb as a long vowel, and です/ます before ？ without devoicing', () => {
    const words = wordsOf(
      ['行こ', '動詞,自立,*,*,五段・カ行促音便,未然ウ接続,行く,イコ,イコ,0/2,*'],
      ['う', '助動詞,*,*,*,不変化型,基本形,う,ウ,ウ,0/1,*'],
      ['です', '助動詞,*,*,*,特殊・デス,基本形,です,デス,デス’,1/2,*'],
      SYMBOL('？'),
    );
    setPronunciation(words);
    expect(brief(words).slice(0, 3)).toEqual(['行こ:イコ:0/2:-1', 'う:ー:0/1:-1', 'です:デス:1/2:-1']);
  });
});
