/**
 * Number verbalisation of GPT-SoVITS's `zh_normalization/num.py` (from PaddleSpeech): cardinals, digit strings,
 * decimals, fractions, percentages, negatives, ranges, arithmetic, powers, versions and quantified numbers.
 *
 * Regexes keep Python's group numbering so each replacer reads like its original. A `(?<!\d)` before a leading
 * digit run changes no match (a match starting inside a run implies one starting at the run's first digit, which
 * is tried first) but stops the quadratic backtracking Python also suffers on very long digit runs. Python's `\d` also matches
 * non-ASCII decimal digits (and then crashes on them in `verbalize_digit`); here `\d` is ASCII only, so such digits
 * fall through to the final character filter instead.
 * @module
 */

const DIGIT_WORDS = '零一二三四五六七八九';
const UNIT_POWERS = [1, 2, 3, 4, 8] as const;
const UNIT_WORDS: Readonly<Record<number, string>> = { 1: '十', 2: '百', 3: '千', 4: '万', 8: '亿' };

export function digitWord(digit: string): string {
  const index = digit.charCodeAt(0) - 48;
  return DIGIT_WORDS[index] ?? digit;
}

const stripLeadingZeros = (value: string): string => value.replace(/^0+/, '');

/** Python `_get_value`; the left-part chain of very long numbers is walked in a loop instead of recursing. */
function cardinalSymbols(value: string): string[] {
  const tails: string[][] = [];
  let rest = value;
  let head: string[] = [];
  for (;;) {
    const stripped = stripLeadingZeros(rest);
    if (stripped.length === 0) break;
    if (stripped.length === 1) {
      head = stripped.length < rest.length ? ['零', digitWord(stripped)] : [digitWord(stripped)];
      break;
    }
    let unit = 1;
    for (const power of UNIT_POWERS) if (power < stripped.length) unit = power;
    tails.push([UNIT_WORDS[unit] as string, ...cardinalSymbols(rest.slice(-unit))]);
    rest = rest.slice(0, -unit);
  }
  return head.concat(...tails.reverse());
}

export function verbalizeCardinal(value: string): string {
  if (value === '') return '';
  const stripped = stripLeadingZeros(value);
  if (stripped === '') return '零';
  let symbols = cardinalSymbols(stripped);
  // 一十* is read 十*.
  if (symbols.length >= 2 && symbols[0] === '一' && symbols[1] === '十') symbols = symbols.slice(1);
  return symbols.join('');
}

export function verbalizeDigit(value: string, altOne = false): string {
  let result = '';
  for (const digit of value) result += digitWord(digit);
  return altOne ? result.replaceAll('一', '幺') : result;
}

/** Python `num2str`: integer part as a cardinal, decimals digit by digit (one trailing zero kept). */
export function num2str(value: string): string {
  const parts = value.split('.');
  if (parts.length > 2) throw new RangeError(`number "${value}" has more than one decimal point`);
  const integer = parts[0] ?? '';
  let decimal = parts[1] ?? '';
  decimal = decimal.endsWith('0') ? `${decimal.replace(/0+$/, '')}0` : decimal.replace(/0+$/, '');
  let result = verbalizeCardinal(integer);
  if (decimal !== '') result = `${result === '' ? '零' : result}点${verbalizeDigit(decimal)}`;
  return result;
}

const sign = (minus: string | undefined, word = '负'): string => (minus ? word : '');

export const RE_FRAC = /(-?)(?<!\d)(\d+)\/(\d+)/g;
export function replaceFrac(_m: string, minus: string, nominator: string, denominator: string): string {
  return `${sign(minus)}${num2str(denominator)}分之${num2str(nominator)}`;
}

export const RE_PERCENTAGE = /(-?)(?<!\d)(\d+(\.\d+)?)%/g;
export function replacePercentage(_m: string, minus: string, percent: string): string {
  return `${sign(minus)}百分之${num2str(percent)}`;
}

export const RE_INTEGER = /(-)(\d+)/g;
export function replaceNegativeNum(_m: string, minus: string, value: string): string {
  return `${sign(minus)}${num2str(value)}`;
}

export const RE_DEFAULT_NUM = /\d{3}\d*/g;
export function replaceDefaultNum(match: string): string {
  return verbalizeDigit(match, true);
}

const POWER_CHARS = '⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ';
const OPERAND = `((-?)(?<!\\d)((\\d+)(\\.\\d+)?[${POWER_CHARS}]*)|(\\.\\d+[${POWER_CHARS}]*)|([A-Za-z][${POWER_CHARS}]*))`;
export const RE_ASMD = new RegExp(`${OPERAND}([+\\-×÷=])${OPERAND}`, 'g');
const ASMD_WORDS: Readonly<Record<string, string>> = { '+': '加', '-': '减', '×': '乘', '÷': '除', '=': '等于' };
export function replaceAsmd(...groups: (string | undefined)[]): string {
  return `${groups[1] ?? ''}${ASMD_WORDS[groups[8] ?? ''] ?? ''}${groups[9] ?? ''}`;
}

export const RE_POWER = new RegExp(`[${POWER_CHARS}]+`, 'g');
const POWER_VALUES: Readonly<Record<string, string>> = {
  '⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9', 'ˣ': 'x', 'ʸ': 'y',
  'ⁿ': 'n',
};
export function replacePower(match: string): string {
  let power = '';
  for (const char of match) power += POWER_VALUES[char] ?? '';
  return `的${power}次方`;
}

/** Measure words after which a number is read as a quantity (`两` for 2). */
const COM_QUANTIFIERS =
  '(处|台|架|枚|趟|幅|平|方|堵|间|床|株|批|项|例|列|篇|栋|注|亩|封|艘|把|目|套|段|人|所|朵|匹|张|座|回|场|尾|条|个|首|阙|阵|网|炮|顶|丘|棵|只|支|袭|辆|挑|担|颗|壳|窠|曲|墙|群|腔|砣|座|客|贯|扎|捆|刀|令|打|手|罗|坡|山|岭|江|溪|钟|队|单|双|对|出|口|头|脚|板|跳|枝|件|贴|针|线|管|名|位|身|堂|课|本|页|家|户|层|丝|毫|厘|分|钱|两|斤|担|铢|石|钧|锱|忽|(千|毫|微)克|毫|厘|(公)分|分|寸|尺|丈|里|寻|常|铺|程|(千|分|厘|毫|微)米|米|撮|勺|合|升|斗|石|盘|碗|碟|叠|桶|笼|盆|盒|杯|钟|斛|锅|簋|篮|盘|桶|罐|瓶|壶|卮|盏|箩|箱|煲|啖|袋|钵|年|月|日|季|刻|时|周|天|秒|分|小时|旬|纪|岁|世|更|夜|春|夏|秋|冬|代|伏|辈|丸|泡|粒|颗|幢|堆|条|根|支|道|面|片|张|颗|块|元|(亿|千万|百万|万|千|百)|(亿|千万|百万|万|千|百|美|)元|(亿|千万|百万|万|千|百|十|)吨|(亿|千万|百万|万|千|百|)块|角|毛|分)';

export const RE_DECIMAL_NUM = /(-?)(?<!\d)((\d+)(\.\d+))|(\.(\d+))/g;
export const RE_POSITIVE_QUANTIFIERS = new RegExp(`(?<!\\d)(\\d+)([多余几+])?${COM_QUANTIFIERS}`, 'g');
export const RE_NUMBER = /(-?)((\d+)(\.\d+)?)|(\.(\d+))/g;

export function replacePositiveQuantifier(_m: string, value: string, modifier: string | undefined, unit: string): string {
  const approx = modifier === '+' ? '多' : (modifier ?? '');
  const number = num2str(value);
  return `${number === '二' ? '两' : number}${approx}${unit}`;
}

export function replaceNumber(
  _m: string,
  minus: string | undefined,
  value: string | undefined,
  _int: string | undefined,
  _frac: string | undefined,
  pureDecimal: string | undefined,
): string {
  if (pureDecimal) return num2str(pureDecimal);
  return `${sign(minus)}${num2str(value ?? '')}`;
}

export const RE_RANGE = /(?<![\d+\-×÷=])((-?)((\d+)(\.\d+)?))[-~]((-?)((\d+)(\.\d+)?))(?![\d+\-×÷=])/g;
export function replaceRange(_m: string, first: string, ...rest: string[]): string {
  const second = rest[4] ?? '';
  return `${first.replace(RE_NUMBER, replaceNumber)}到${second.replace(RE_NUMBER, replaceNumber)}`;
}

const RANGE_UNITS = '(%|°C|℃|度|摄氏度|cm2|cm²|cm3|cm³|cm|db|ds|kg|km|m2|m²|m³|m3|ml|m|mm|s)';
const RANGE_VALUE = '((-?)(?<!\\d)((\\d+)(\\.\\d+)?)|(\\.(\\d+)))';
export const RE_TO_RANGE = new RegExp(`${RANGE_VALUE}${RANGE_UNITS}[~]${RANGE_VALUE}${RANGE_UNITS}`, 'g');
export function replaceToRange(match: string): string {
  return match.replaceAll('~', '至');
}

export const RE_VERSION_NUM = /(?<!\d)((\d+)(\.\d+)(\.\d+)?(\.\d+)+)/g;
export function replaceVersionNum(match: string): string {
  let result = '';
  for (const char of match) result += char === '.' ? '点' : num2str(char);
  return result;
}
