/**
 * Mandarin parity with GPT-SoVITS on the 476-sentence fixture (test/fixtures/zh-g2p), on npm data only: no
 * pypinyin dictionaries and no GPT-SoVITS word lists (those are the user's, read from a bundle). The floors sit just
 * under the rates measured when the word lists left the repository, so a regression fails; README "Text frontend"
 * gives the rates with the user's data too (test/full-data-parity.test.ts measures them).
 */
import { describe, expect, it } from 'vitest';
import { formatAgreement, measureZh } from '../../../test/g2p-parity.ts';
import { createZhG2p, pinyinProSource } from './index.ts';

const npmOnly = createZhG2p({ pinyinSource: pinyinProSource });

describe('zh g2p agreement with GPT-SoVITS on the 476-sentence fixture, npm data only', () => {
  it('v2: whole-sequence exact match and per-phone error rate', () => {
    const result = measureZh(npmOnly, 'v2');
    console.info(formatAgreement('zh v2 (npm data only)', result));
    expect(result.sentences).toBeGreaterThanOrEqual(300);
    expect(result.normExact / result.sentences).toBeGreaterThanOrEqual(0.99);
    expect(result.exact / result.sentences).toBeGreaterThanOrEqual(0.835);
    expect(result.phoneErrorRate).toBeLessThanOrEqual(0.0125);
  });

  it('v1: whole-sequence exact match and per-phone error rate', () => {
    const result = measureZh(npmOnly, 'v1');
    console.info(formatAgreement('zh v1 (npm data only)', result));
    expect(result.normExact / result.sentences).toBeGreaterThanOrEqual(0.99);
    expect(result.exact / result.sentences).toBeGreaterThanOrEqual(0.835);
    expect(result.phoneErrorRate).toBeLessThanOrEqual(0.0125);
  });
});
