/**
 * Temperatures and measurement units of GPT-SoVITS's `zh_normalization/quantifier.py`. Units are replaced as plain
 * substrings in the table's order, anywhere in the sentence (so a lone `m` or `s` becomes 米 / 秒), as there.
 * @module
 */
import { num2str } from './num.ts';

export const RE_TEMPERATURE = /(-?)(?<!\d)(\d+(\.\d+)?)(°C|℃|度|摄氏度)/g;
export function replaceTemperature(_m: string, minus: string, value: string): string {
  // GPT-SoVITS compares group 3 (the decimals) with 摄氏度, so the unit always reads 度.
  return `${minus ? '零下' : ''}${num2str(value)}度`;
}

const MEASURES: readonly (readonly [string, string])[] = [
  ['cm2', '平方厘米'], ['cm²', '平方厘米'], ['cm3', '立方厘米'], ['cm³', '立方厘米'], ['cm', '厘米'], ['db', '分贝'],
  ['ds', '毫秒'], ['kg', '千克'], ['km', '千米'], ['m2', '平方米'], ['m²', '平方米'], ['m³', '立方米'], ['m3', '立方米'],
  ['ml', '毫升'], ['m', '米'], ['mm', '毫米'], ['s', '秒'],
];

export function replaceMeasure(sentence: string): string {
  let result = sentence;
  for (const [notation, word] of MEASURES) if (result.includes(notation)) result = result.replaceAll(notation, word);
  return result;
}
