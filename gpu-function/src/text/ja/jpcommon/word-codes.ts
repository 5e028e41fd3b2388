/**
 * The part-of-speech, conjugation-type and conjugation-form codes a full-context label gives each word (its B, C and
 * D fields). OpenJTalk gets them in two steps: njd2jpcommon renames NAIST-JDIC's categories to JPCommon's coarser
 * ones, then JPCommon's label maker numbers those. Only the composition matters for the labels, so each code here
 * lists the NAIST-JDIC categories that end up with it; anything not listed ends up as `xx`, as it does in OpenJTalk
 * (an unknown category falls back to the first, code-less entry of each step).
 * @module
 */

/** The three codes of one word as the label prints them. */
export interface WordCodes {
  readonly pos: string;
  readonly ctype: string;
  readonly cform: string;
}

const UNKNOWN = 'xx';

/**
 * Part of speech `pos/group1/group2/group3` (trailing `*` groups left out) per code. Every 記号 and その他 category
 * ends up code-less, so none is listed.
 */
const POS_CODES: Readonly<Record<string, readonly string[]>> = {
  '01': ['形容詞/自立', '形容詞/非自立'],
  '02': [
    '名詞/ナイ形容詞語幹',
    '名詞/一般',
    '名詞/引用文字列',
    '名詞/接続詞的',
    '名詞/動詞非自立的',
    '名詞/特殊/助動詞語幹',
    '名詞/副詞可能',
  ],
  '03': ['名詞/サ変接続'],
  '04': ['名詞/代名詞/一般', '名詞/代名詞/縮約'],
  '05': ['名詞/数'],
  '06': ['副詞', '副詞/一般', '副詞/助詞類接続'],
  '07': ['連体詞'],
  '08': ['接続詞'],
  // Fillers become interjections on the way (JPCommon's own filler code is never reached from NJD).
  '09': ['感動詞', 'フィラー'],
  '10': ['助動詞'],
  '11': ['助詞/副助詞'],
  '12': ['助詞/接続助詞'],
  '13': ['助詞/格助詞/一般', '助詞/格助詞/引用', '助詞/格助詞/連語'],
  '14': ['助詞/終助詞'],
  '15': [
    '形容詞/接尾',
    '動詞/接尾',
    ...['サ変接続', '一般', '形容動詞語幹', '助数詞', '助動詞語幹', '人名', '地域', '特殊', '副詞可能'].map((group) => `名詞/接尾/${group}`),
  ],
  '16': ['形容詞接続', '数接続', '動詞接続', '名詞接続'].map((group) => `接頭詞/${group}`),
  '17': ['動詞/非自立'],
  '18': [
    '名詞/固有名詞/一般',
    '名詞/固有名詞/人名/一般',
    '名詞/固有名詞/人名/姓',
    '名詞/固有名詞/人名/名',
    '名詞/固有名詞/組織',
    '名詞/固有名詞/地域/一般',
    '名詞/固有名詞/地域/国',
  ],
  '19': ['名詞/形容動詞語幹'],
  '20': ['動詞/自立'],
  '22': ['一般', '形容動詞語幹', '助動詞語幹', '副詞可能', ''].map((group) => (group === '' ? '名詞/非自立' : `名詞/非自立/${group}`)),
  '23': ['特殊', '副詞化', '副助詞／並立助詞／終助詞', '並立助詞', '連体化'].map((group) => `助詞/${group}`),
  '24': ['助詞/係助詞'],
};

/** Conjugation types per code; a type is `family・variant`, or a bare family. */
const CTYPE_CODES: Readonly<Record<string, readonly string[]>> = {
  '1': ['カ行イ音便', 'カ行促音便', 'カ行促音便ユク', 'ガ行', 'サ行', 'タ行', 'ナ行', 'バ行', 'マ行', 'ラ行', 'ラ行アル', 'ラ行特殊', 'ワ行ウ音便', 'ワ行促音便'].map(
    (variant) => `五段・${variant}`,
  ),
  '3': ['一段', '一段・クレル', '一段・得ル'],
  // The minus sign in サ変・−スル is U+2212, as NAIST-JDIC spells it.
  '4': ['サ変・\u2212スル', 'サ変・\u2212ズル', 'サ変・スル'],
  '5': ['カ変・クル', 'カ変・来ル'],
  '6': [
    'ラ変',
    ...['カ行', 'ガ行', 'タ行', 'ダ行', 'ハ行', 'マ行', '得'].map((variant) => `下二・${variant}`),
    ...['ダ行', 'ハ行'].map((variant) => `上二・${variant}`),
    ...['サ行', 'タ行', 'ハ行', 'バ行'].map((variant) => `四段・${variant}`),
    '不変化型',
    ...['キ', 'ケリ', 'ゴトシ', 'ナリ', 'ベシ', 'マジ', 'リ', 'ル'].map((variant) => `文語・${variant}`),
  ],
  '7': [
    ...['アウオ段', 'イイ', 'イ段'].map((variant) => `形容詞・${variant}`),
    ...['ジャ', 'タ', 'タイ', 'ダ', 'デス', 'ナイ', 'ヌ', 'マス', 'ヤ'].map((variant) => `特殊・${variant}`),
  ],
};

/** Conjugation forms per code (the fullwidth digits and letters are NAIST-JDIC's spelling). */
const CFORM_CODES: Readonly<Record<string, readonly string[]>> = {
  '0': ['未然ウ接続', '未然ヌ接続', '未然レル接続', '未然形', '未然特殊'],
  '1': ['連用ゴザイ接続', '連用タ接続', '連用テ接続', '連用デ接続', '連用ニ接続', '連用形'],
  '2': ['音便基本形', '基本形', '基本形-促音便', '現代基本形', '文語基本形'],
  '3': ['体言接続', '体言接続特殊', '体言接続特殊２'],
  '4': ['仮定形', '仮定縮約１', '仮定縮約２'],
  '5': ['命令ｅ', '命令ｉ', '命令ｒｏ', '命令ｙｏ'],
  '6': ['ガル接続'],
};

function invert(codes: Readonly<Record<string, readonly string[]>>): ReadonlyMap<string, string> {
  const byName = new Map<string, string>();
  for (const [code, names] of Object.entries(codes)) for (const name of names) byName.set(name, code);
  return byName;
}

const POS_BY_KEY = invert(POS_CODES);
const CTYPE_BY_NAME = invert(CTYPE_CODES);
const CFORM_BY_NAME = invert(CFORM_CODES);

function posKey(groups: readonly string[]): string {
  const kept = [...groups];
  while (kept.length > 1 && kept.at(-1) === '*') kept.pop();
  return kept.join('/');
}

export function posCode(pos: string, group1: string, group2: string, group3: string): string {
  return POS_BY_KEY.get(posKey([pos, group1, group2, group3])) ?? UNKNOWN;
}

export function ctypeCode(ctype: string): string {
  return CTYPE_BY_NAME.get(ctype) ?? UNKNOWN;
}

export function cformCode(cform: string): string {
  return CFORM_BY_NAME.get(cform) ?? UNKNOWN;
}
