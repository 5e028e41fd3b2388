/**
 * The words and word lists OpenJTalk's digit rule (`njd_set_digit`) reads numbers with: digit characters and their
 * values, the powers of ten, counters grouped by how they change the numeral before them (三本 さんぼん, 六分 ろっぷん,
 * 四人 よにん) and the days of the month. Written for gsv-edge as its own data from Japanese usage; where OpenJTalk's
 * tables hold a particular list (which counters belong to which group, the accent each reading gets), the entries
 * follow OpenJTalk's choices so that readings and accents match pyopenjtalk, duplicates and quirks included (a word
 * listed in two groups belongs to the one OpenJTalk checks first, which is the one it is listed in here).
 * @module
 */

/** A word the digit rule writes over another (OpenJTalk loads a feature string into the node). */
export interface DigitWord {
  readonly string: string;
  /** Every digit word is a noun (名詞); its sub-group, and the second one where it has one. */
  readonly posGroup1: '数' | '副詞可能' | '接尾';
  readonly posGroup2?: string;
  /** Base form where it is not the string itself. */
  readonly orig?: string;
  readonly read: string;
  readonly pron: string;
  readonly acc: number;
  readonly moraSize: number;
  readonly chainRule?: string;
  /** Set only where OpenJTalk's entry sets the chain flag (otherwise the word keeps its own). */
  readonly chainFlag?: number;
}

/** A numeral's replacement reading before a counter: pronunciation, accent and morae. */
export interface DigitReading {
  readonly pron: string;
  readonly acc: number;
  readonly moraSize: number;
}

/** Digit characters (full-width, kanji, old forms, kana spellings) → value and the kanji OpenJTalk writes for them. */
export const DIGIT_CHARACTERS: ReadonlyMap<string, { readonly value: number; readonly kanji: string }> = new Map(
  (
    [
      ['○', 0, '〇'], ['〇', 0, '〇'], ['０', 0, '０'],
      ['１', 1, '一'], ['２', 2, '二'], ['３', 3, '三'], ['４', 4, '四'], ['５', 5, '五'], ['６', 6, '六'], ['７', 7, '七'], ['８', 8, '八'], ['９', 9, '九'],
      ['一', 1, '一'], ['二', 2, '二'], ['三', 3, '三'], ['四', 4, '四'], ['五', 5, '五'], ['六', 6, '六'], ['七', 7, '七'], ['八', 8, '八'], ['九', 9, '九'],
      ['いち', 1, '一'], ['に', 2, '二'], ['さん', 3, '三'], ['よん', 4, '四'], ['ご', 5, '五'], ['ろく', 6, '六'], ['なな', 7, '七'], ['はち', 8, '八'], ['きゅう', 9, '九'],
      ['し', 4, '四'], ['しち', 7, '七'], ['く', 9, '九'],
      ['壱', 1, '一'], ['弐', 2, '二'], ['貳', 2, '二'], ['参', 3, '三'],
      // The katakana ニ looks like 二 and MeCab sometimes tags it as a numeral.
      ['ニ', 2, '二'],
    ] as const
  ).map(([character, value, kanji]) => [character, { value, kanji }] as const),
);

const numeral = (string: string, read: string, pron: string, acc: number, moraSize: number, chainRule?: string): DigitWord =>
  chainRule === undefined ? { string, posGroup1: '数', read, pron, acc, moraSize } : { string, posGroup1: '数', read, pron, acc, moraSize, chainRule };

/** 10, 100, 1000 within a group of four digits (index 1..3). */
export const TENS_HUNDREDS_THOUSANDS: readonly (DigitWord | undefined)[] = [
  undefined,
  numeral('十', 'ジュウ', 'ジュー', 1, 2),
  numeral('百', 'ヒャク', 'ヒャク', 2, 2),
  numeral('千', 'セン', 'セン', 1, 2),
];

/** The powers of 10 000 (index 1: 10^4 ... index 17: 10^68). */
export const MYRIADS: readonly (DigitWord | undefined)[] = [
  undefined,
  numeral('万', 'マン', 'マン', 1, 2),
  numeral('億', 'オク', 'オク', 1, 2),
  numeral('兆', 'チョウ', 'チョー', 1, 2, 'C3'),
  numeral('京', 'ケイ', 'ケー', 1, 2),
  numeral('垓', 'ガイ', 'ガイ', 1, 2),
  numeral('𥝱', 'ジョ', 'ジョ', 1, 1),
  numeral('穣', 'ジョウ', 'ジョー', 1, 2),
  numeral('溝', 'コウ', 'コウ', 1, 2),
  numeral('澗', 'カン', 'カン', 1, 2),
  numeral('正', 'セイ', 'セー', 1, 2),
  numeral('載', 'サイ', 'サイ', 1, 2),
  numeral('極', 'ゴク', 'ゴク', 1, 2),
  numeral('恒河沙', 'ゴウガシャ', 'ゴウガシャ', 1, 4),
  numeral('阿僧祇', 'アソウギ', 'アソーギ', 2, 4),
  numeral('那由他', 'ナユタ', 'ナユタ', 1, 3),
  numeral('不可思議', 'フカシギ', 'フカシギ', 2, 4),
  numeral('無量大数', 'ムリョウタイスウ', 'ムリョータイスー', 6, 7),
];

/** Numerals that multiply a following power of ten (and 何, 幾, 数: "how many", "several"). */
export const MULTIPLIERS: ReadonlySet<string> = new Set(['一', '二', '三', '四', '五', '六', '七', '八', '九', '何', '幾', '数']);
/** The powers of ten written as kanji. */
export const POWERS_OF_TEN: ReadonlySet<string> = new Set(['十', '百', '千', ...MYRIADS.flatMap((word) => (word === undefined ? [] : [word.string]))]);

/** How a counter's first kana changes after a numeral: 1 voiced (三階 さんがい), 2 half-voiced (一本 いっぽん). */
export type SoundChange = 1 | 2;

/** Which numerals change 百/千 after them: 三百 さんびゃく, 六百 ろっぴゃく, 八百 はっぴゃく, 三千 さんぜん, 何百 なんびゃく. */
export const HUNDRED_THOUSAND_SOUND: ReadonlyMap<string, SoundChange> = new Map([['三', 1], ['六', 2], ['八', 2], ['何', 1]]);
/** Numerals shortened before 百 (六百 ろっぴゃく, 八百 はっぴゃく). */
export const BEFORE_HUNDRED: ReadonlyMap<string, DigitReading> = new Map([
  ['六', { pron: 'ロッ', acc: 0, moraSize: 2 }],
  ['八', { pron: 'ハッ', acc: 0, moraSize: 2 }],
]);
/** Numerals shortened before 千 and 兆 (一千 いっせん, 八千 はっせん, 十兆 じゅっちょう). */
export const BEFORE_THOUSAND_TRILLION: ReadonlyMap<string, DigitReading> = new Map([
  ['一', { pron: 'イッ', acc: 0, moraSize: 2 }],
  ['八', { pron: 'ハッ', acc: 0, moraSize: 2 }],
  ['十', { pron: 'ジュッ', acc: 1, moraSize: 2 }],
]);

const reading = (pron: string, acc: number, moraSize: number): DigitReading => ({ pron, acc, moraSize });
const YO = reading('ヨ', 0, 1);
const SHICHI = reading('シチ', 1, 2);
const KU = reading('ク', 0, 1);
const ICCHU = reading('イッ', 1, 2);
const ROPPU = reading('ロッ', 1, 2);
const HAPPU = reading('ハッ', 1, 2);
const JUPPU = reading('ジュッ', 1, 2);
const HYAPPU = reading('ヒャッ', 1, 2);

/**
 * Counters by how the numeral before them is read, in the order OpenJTalk tries them (a counter in two groups takes
 * the first). Each group: the counters, and the numerals that read differently before them.
 */
export const NUMERAL_READING_GROUPS: readonly { readonly counters: ReadonlySet<string>; readonly readings: ReadonlyMap<string, DigitReading> }[] = [
  // 四年 よねん, 四円 よえん.
  { counters: new Set(['年', '円', '年間', '年生', '年代', '年度', '年版', '年余', '年来', 'えん']), readings: new Map([['四', YO]]) },
  // 四人 よにん, 七人 しちにん.
  { counters: new Set(['人', '人月', '人前', '人組']), readings: new Map([['四', YO], ['七', SHICHI]]) },
  // 四時 よじ, 七時 しちじ, 九時 くじ.
  { counters: new Set(['時', '時間', '時限', '時半']), readings: new Map([['四', YO], ['七', SHICHI], ['九', KU]]) },
  // 七日 しちにち, 九日間 くにちかん.
  { counters: new Set(['日', '日間']), readings: new Map([['七', SHICHI], ['九', KU]]) },
  // 四月 しがつ, 七月 しちがつ, 九月 くがつ.
  { counters: new Set(['月']), readings: new Map([['四', reading('シ', 0, 1)], ['七', SHICHI], ['九', KU]]) },
  // k/h/p counters: 一個 いっこ, 六本 ろっぽん, 八階 はっかい, 十分 じゅっぷん, 百本 ひゃっぽん.
  {
    counters: new Set([
      '個', '階', '分', '発', '本', '鉢', '口', '切れ', '箱',
      'か月', 'か国', 'か所', 'か条', 'か村', 'か年', 'カ月', 'カ国', 'カ寺', 'カ所', 'カ条', 'カ村', 'カ店', 'カ年',
      'ケ月', 'ケ国', 'ケ所', 'ケ条', 'ケ村', 'ケ年', 'ヵ月', 'ヵ国', 'ヵ所', 'ヵ条', 'ヵ村', 'ヵ年', 'ヶ月', 'ヶ国', 'ヶ所', 'ヶ条', 'ヶ村', 'ヶ年',
      '個月', '個口', '個国', '個条', '個年', '箇月', '箇国', '箇所', '箇条', '箇年',
      'かけ', 'くだり', 'けた', '価', '課', '画', '回', '回忌', '回生', '回戦', '回線', '回分', '海里', 'カイリ', '浬', '角', '株', '冠', '巻', '缶',
      '貫', '貫目', '間', '基', '期', '期生', '機', '気圧', '季', '騎', '客', '脚', '球', '級', '橋', '局', '曲', '極', '重ね', '斤', '金', '句', '区',
      '躯', '計', '桁', 'ケタ', '校', '港', '項', '組', '件', '軒', '言', '戸', '湖', '光年', '石', 'ぴき', 'ぺん', '波', '派', '敗', '杯', '拍', '泊',
      '版', '犯', '班', '匹', '疋', '筆', '俵', '票', '品', '分間', '分目', '片', '篇', '編', '辺', '遍', '歩', '報', '方', '法', '本立て', '頭身',
    ]),
    readings: new Map([['一', ICCHU], ['六', ROPPU], ['八', HAPPU], ['十', JUPPU], ['百', HYAPPU]]),
  },
  // s/t counters: 一歳 いっさい, 八冊 はっさつ, 十点 じゅってん.
  {
    counters: new Set([
      '．', '・', '才', '頭', '着', '足', '尺', '坪', '通り', 'センチ', 'シーシー',
      'ＣＣ', 'ｃｃ', 'ｃｍ', 'サイクル', 'サンチーム', 'シーズン', 'シート', 'シリング', 'シンガポールドル', 'スイスフラン', 'スウェーデンクローネ',
      'スクレ', 'セット', 'セント', 'ソル', 'ゾーン', '糎', '竿', '差', '差し', '歳', '歳児', '作', '冊', '刷', '皿', '棹', '艘', '子', '視', '式',
      '失', '室', '射', '社', '勺', '種', '首', '周', '周忌', '周年', '州', '週', '週間', '集', '宿', '所', '勝', '升', '床', '章', '色', '食',
      '親等', '進', '進数', 'すじ', 'そう', 'そろい', '筋', '数', '寸', '世', '隻', '席', '節', '戦', '線', '選', '銭', '層', '相', '揃',
      'たび', 'つかみ', 'つがい', 'つぶ', 'つまみ', 'つ折', 'つ折り', 'とおり', 'とき', 'ところ', 'とせ', '玉', '手', '束', '続き', '体', '対',
      '卓', '樽', '反', '丁', '丁目', '鳥', '通', '掴み', '艇', '滴', '店', '転', '点', '斗', '棟', '盗', '灯', '等', '等席', '等地', '等分', '答',
      '得', '噸', '粒', '種類', '歳馬', '世紀', '車種',
    ]),
    readings: new Map([['一', ICCHU], ['八', HAPPU], ['十', JUPPU]]),
  },
  // k counters in loanwords: 六キロ ろっきろ, 十キロ じゅっきろ, 百キロ ひゃっきろ.
  {
    counters: new Set([
      'キロ', 'カロリー', 'ｃａｌ', 'ｋｂ', 'ｋｇ', 'ｋｌ', 'ｋｍ', 'ｋｔ', 'ｋｗ', 'ｋグラム', 'ｋバイト', 'ｋヘルツ', 'ｋメートル', 'ｋリットル', 'ｋワット',
      'カナダドル', 'カラット', 'ガロン', 'キュリー', 'キロカロリー', 'キログラム', 'キロトン', 'キロバイト', 'キロヘルツ', 'キロメートル', 'キロリットル',
      'キロワット', 'キロワット時', 'クラス', 'クローナ', 'クローネ', 'グァラニ', 'ケース', 'コース', '粁',
    ]),
    readings: new Map([['六', ROPPU], ['十', JUPPU], ['百', HYAPPU]]),
  },
  // t counters: 一トン いっとん, 十トン じゅっとん.
  { counters: new Set(['トン', 'ｔ', 'タル', 'テラ', 'トライ']), readings: new Map([['一', ICCHU], ['十', JUPPU]]) },
  // p counters where only 十 shortens: 十パーセント じゅっぱーせんと.
  {
    counters: new Set([
      '房', '柱', '％', 'ポンド', 'ｐａ', 'ｐｐｍ', 'パーセント', 'パーミル', 'パスカル', 'パック', 'パット', 'ピーピーエム', 'ピコ', 'ページ', '頁', 'ペア',
      'ペセタ', 'ペソ', 'ペニー', 'ペニヒ', 'ペンス', 'ポイント', '振り', '針', '袋', '張り', '平米', '平方キロ', '平方キロメートル', '平方センチメートル',
      '平方メートル', '品目',
    ]),
    readings: new Map([['十', JUPPU]]),
  },
];

/** Counters whose first kana changes after some numerals, in OpenJTalk's order of trying them. */
export const COUNTER_SOUND_GROUPS: readonly { readonly counters: ReadonlySet<string>; readonly changes: ReadonlyMap<string, SoundChange> }[] = [
  // h counters that become p: 一分 いっぷん, 三分 さんぷん, 何分 なんぷん.
  {
    counters: new Set(['分', '版', '敗', '発', '拍', '鉢', '波', '派', '泊', '犯', '班', '品', '分間', '分目', '片', '篇', '編', '辺', '遍', '歩', '報', '方']),
    changes: new Map(Array.from(['一', '三', '四', '六', '八', '十', '百', '千', '万', '何'], (digit) => [digit, 2] as const)),
  },
  // h counters: 一本 いっぽん, 三本 さんぼん, 千本 せんぼん.
  {
    counters: new Set(['本', '匹', '疋', '票', '俵', '箱', '本立て', '杯', '針', '柱']),
    changes: new Map([['一', 2], ['三', 1], ['六', 2], ['八', 2], ['十', 2], ['百', 2], ['千', 1], ['万', 1], ['何', 1]]),
  },
  // k/s counters voiced after ん: 三軒 さんげん, 千足 せんぞく.
  { counters: new Set(['軒', '石', '足', '尺', 'かけ', '重ね', '件', '勺']), changes: new Map([['三', 1], ['千', 1], ['万', 1]]) },
  // 三階 さんがい.
  { counters: new Set(['階']), changes: new Map([['三', 1]]) },
];

/** Counters read with native numerals (一棟 ひとむね, 二皿 ふたさら): counter → the readings it has in that use. */
export const NATIVE_COUNTERS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  Object.entries({
    棟: ['ムネ'], かけ: ['カケ'], くだり: ['クダリ'], けた: ['ケタ'], すじ: ['スジ'], そろい: ['ソロイ'], たび: ['タビ'], つかみ: ['ツカミ'],
    つがい: ['ツガイ'], つまみ: ['ツマミ'], とおり: ['トオリ'], ところ: ['トコロ'], とせ: ['トセ'], まわり: ['マワリ'], シーズン: ['シーズン'],
    セット: ['セット'], 握り: ['ニギリ'], 回り: ['マワリ'], 株: ['カブ'], 竿: ['サオ'], 筋: ['スジ'], 桁: ['ケタ'], ケタ: ['ケタ'], 月: ['ツキ'],
    言: ['コト'], 口: ['クチ'], 差し: ['サシ'], 皿: ['サラ'], 山: ['ヤマ'], 勺: ['シャク'], 尺: ['シャク'], 重ね: ['カサネ', 'ガサネ'], 振り: ['フリ'],
    針: ['ハリ'], 切れ: ['キレ'], 束: ['タバ'], 続き: ['ツヅキ'], 揃: ['ソロイ'], 袋: ['フクロ'], 柱: ['ハシラ'], 張り: ['ハリ'], 通り: ['トオリ'],
    掴み: ['ツカミ'], 坪: ['ツボ'], 箱: ['ハコ'], 鉢: ['ハチ'], 晩: ['バン'], 品: ['シナ'], 瓶: ['ビン'], 分け: ['ワケ'], 幕: ['マク'], 夜: ['ヤ', 'ヨ'],
    粒: ['ツブ'], 枠: ['ワク'], 棹: ['サオ'], つ折: ['ツオリ'], つ折り: ['ツオリ'], つぶ: ['ツブ'], とき: ['トキ'],
  }).map(([counter, reads]) => [counter, new Set(reads)] as const),
);
/** The native numerals used with those counters. */
export const NATIVE_NUMERALS: ReadonlyMap<string, { readonly read: string; readonly acc: number; readonly moraSize: number }> = new Map([
  ['一', { read: 'ヒト', acc: 0, moraSize: 2 }],
  ['二', { read: 'フタ', acc: 0, moraSize: 2 }],
]);

const adverbial = (string: string, read: string, pron: string, acc: number, moraSize: number, extra: Partial<DigitWord> = {}): DigitWord => ({
  string, posGroup1: '副詞可能', read, pron, acc, moraSize, ...extra,
});

/** 一人 ひとり, 二人 ふたり. */
export const PEOPLE: ReadonlyMap<string, DigitWord> = new Map([
  ['一', adverbial('一人', 'ヒトリ', 'ヒトリ', 2, 3)],
  ['二', adverbial('二人', 'フタリ', 'フタリ', 3, 3)],
]);

/** The first of the month after a month (一月一日: ついたち). */
export const FIRST_OF_MONTH = adverbial('一日', 'ツイタチ', 'ツイタチ', 4, 4);

/** Days: 一日 いちにち, 二日 ふつか ... 十日 とおか. */
export const DAYS: ReadonlyMap<string, DigitWord> = new Map([
  ['一', adverbial('一日', 'イチニチ', 'イチニチ', 4, 4)],
  ['二', adverbial('二日', 'フツカ', 'フツカ', 0, 3)],
  ['三', adverbial('三日', 'ミッカ', 'ミッカ', 0, 3)],
  ['四', adverbial('四日', 'ヨッカ', 'ヨッカ', 0, 3)],
  ['五', adverbial('五日', 'イツカ', 'イツカ', 0, 3)],
  ['六', adverbial('六日', 'ムイカ', 'ムイカ', 0, 3)],
  ['七', adverbial('七日', 'ナノカ', 'ナノカ', 0, 3)],
  ['八', adverbial('八日', 'ヨウカ', 'ヨーカ', 0, 3)],
  ['九', adverbial('九日', 'ココノカ', 'ココノカ', 0, 4)],
  ['十', adverbial('十日', 'トウカ', 'トーカ', 0, 3)],
]);

/** Spans of days: 一日間 いちにちかん ... (OpenJTalk gives 二日間 to 十日間 the base form without 間). */
export const DAY_SPANS: ReadonlyMap<string, DigitWord> = new Map([
  ['一', adverbial('一日間', 'イチニチカン', 'イチニチカン', 4, 6)],
  ['二', adverbial('二日間', 'フツカカン', 'フツカカン', 3, 5, { orig: '二日' })],
  ['三', adverbial('三日間', 'ミッカカン', 'ミッカカン', 3, 5, { orig: '三日' })],
  ['四', adverbial('四日間', 'ヨッカカン', 'ヨッカカン', 3, 5, { orig: '四日' })],
  ['五', adverbial('五日間', 'イツカカン', 'イツカカン', 3, 5, { orig: '五日' })],
  ['六', adverbial('六日間', 'ムイカカン', 'ムイカカン', 3, 5, { orig: '六日' })],
  ['七', adverbial('七日間', 'ナノカカン', 'ナノカカン', 3, 5, { orig: '七日' })],
  ['八', adverbial('八日間', 'ヨウカカン', 'ヨーカカン', 3, 5, { orig: '八日' })],
  ['九', adverbial('九日間', 'ココノカカン', 'ココノカカン', 4, 6, { orig: '九日' })],
  ['十', adverbial('十日間', 'トウカカン', 'トーカカン', 3, 5, { orig: '十日' })],
]);

/** 十四日 じゅうよっか, 二十日 はつか, 二十四日 にじゅうよっか and their spans. */
export const FOURTEENTH = adverbial('十四日', 'ジュウヨッカ', 'ジューヨッカ', 1, 5);
export const FOURTEEN_DAYS = adverbial('十四日間', 'ジュウヨッカカン', 'ジューヨッカカン', 5, 7);
export const TWENTIETH = adverbial('二十日', 'ハツカ', 'ハツカ', 0, 3);
export const TWENTY_DAYS = adverbial('二十日間', 'ハツカカン', 'ハツカカン', 3, 5);
export const TWENTY = adverbial('二十', 'ニジュウ', 'ニジュー', 1, 3);
export const FOURTH_AFTER_TWENTY = adverbial('四日', 'ヨッカ', 'ヨッカ', 0, 3, { chainFlag: 0 });
export const FOUR_DAYS_AFTER_TWENTY = adverbial('四日間', 'ヨッカカン', 'ヨッカカン', 3, 5, { chainFlag: 0 });

/** The decimal point between numerals (一・五, 1.5): read テン. */
export const DECIMAL_POINT: DigitWord = { string: '．', posGroup1: '接尾', posGroup2: '助数詞', read: 'テン', pron: 'テン', acc: 0, moraSize: 2 };
