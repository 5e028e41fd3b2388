import { describe, expect, it } from 'vitest';
import { normalizeZh } from './index.ts';

// Expected strings are GPT-SoVITS's chinese2.text_normalize output for each input (see the zh-g2p fixture README).
const CASES: Record<string, readonly (readonly [string, string])[]> = {
  'numbers and digit strings': [
    ['他3岁', '他三岁'],
    ['1200万人', '一千二百万人'],
    ['3456元', '三千四百五十六元'],
    ['圆周率3.14159', '圆周率三点一四一五九'],
    ['98.5分', '九十八点五分'],
    ['3.20米', '三点二零米'],
    ['共0件', '共零件'],
    ['10086', '幺零零八六'],
    ['007号', '零零七号'],
    ['.5', '零点五'],
    ['1,000', '一,零零零'],
    ['2个人', '两个人'],
    ['20+个国家', '二十多个国家'],
  ],
  'dates': [
    ['2024年3月15日', '二零二四年三月十五日'],
    ['98年', '九八年'],
    ['5月1日', '五月一日'],
    ['2023-06-01', '二零二三年六月一日'],
    ['2022/10/01', '二零二二年十月一日'],
  ],
  'times and time ranges (the second half reads the first minute, as GPT-SoVITS does)': [
    ['下午3:45', '下午三点四十五分'],
    ['14:00-16:30', '十四点至十六点三十分'],
    ['8:30~9:30', '八点半至九点半'],
    ['1:23:45', '一点二十三分四十五秒'],
    ['07:05', '七点零五分'],
  ],
  'ranges and negatives': [
    ['3~5个人', '三到五个人'],
    ['-200元', '负二百元'],
  ],
  'temperatures (always 度) and units': [
    ['-15度', '零下十五度'],
    ['100摄氏度', '一百度'],
    ['39.5℃', '三十九点五度'],
    ['20℃~25℃', '二十度至二十五度'],
    ['25m²', '二十五平方米'],
    ['500ml', '五百毫升'],
    ['1.85m', '一点八五米'],
    ['3km', '三千米'],
    ['ms', '米秒'],
  ],
  'percentages and fractions': [
    ['85%', '百分之八十五'],
    ['-0.3%', '负百分之零点三'],
    ['1/3', '三分之一'],
    ['-3/4', '负四分之三'],
  ],
  'phone numbers': [
    ['13812345678', '幺三八幺二三四五六七八'],
    ['+86 13912345678', '八六幺三九幺二三四五六七八'],
    ['010-12345678', '零幺零减幺二三四五六七八'],
    ['400-123-4567', '四零零减幺二三减四五六七'],
    ['62345678', '六二三四五六七八'],
  ],
  'arithmetic, powers and versions': [
    ['1+1=2', '一加一等于二'],
    ['3×4=12', '三乘四等于十二'],
    ['x²', '的二次方'],
    ['10.2.3', '一零点二点三'],
  ],
  'traditional and full-width characters': [
    ['我們學習', '我们学习'],
    ['ＡＢＣ１２３', '幺二三'],
    ['你　好', '你好'],
  ],
  'punctuation mapping, symbols and the final filter': [
    ['他说：“你好”。', '他说,你好.'],
    ['《红楼梦》', '红楼梦'],
    ['等一下……好', '等一下…好'],
    ['好吧～', '好吧…'],
    ['你/我', '你每我'],
    ['①②', '一二'],
    ['α和β', '阿尔法和贝塔'],
    ['嗯呣', '恩母'],
    ['abc', ''],
    ['！？，。', '!'],
    ['A-B', '减'],
  ],
};

describe('normalizeZh', () => {
  for (const [family, cases] of Object.entries(CASES)) {
    it(family, () => {
      for (const [input, expected] of cases) expect([input, normalizeZh(input)]).toEqual([input, expected]);
    });
  }

  it('keeps only CJK ideographs and the six punctuation phones', () => {
    expect(normalizeZh('Hello 世界 123 😀 ¿¡ \u0000\u0007 你好')).toMatch(/^[\u4e00-\u9fa5!?…,.-]*$/);
  });
});
