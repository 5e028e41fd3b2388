/**
 * English parity with GPT-SoVITS on 395 sentences (numbers, dates, names, mixed script, punctuation, homographs,
 * possessives, acronyms, unknown words), on npm data only. Expected phones were produced by GPT-SoVITS's own
 * english.py / expend.py / cleaner.py (see README, "Text frontend"). The floors are the rates measured with the
 * npm-only data; they fail on any regression. test/full-data-parity.test.ts measures the rates with the user's data.
 */
import { describe, expect, it } from 'vitest';
import { createEnglishG2p } from '../src/text/en/index.ts';
import { formatAgreement, measureEn } from './g2p-parity.ts';

describe('English phones against GPT-SoVITS, npm data only', () => {
  it('matches whole phone sequences and normalized text at the measured rates', () => {
    const result = measureEn({ en: createEnglishG2p() });
    console.log(formatAgreement('en (npm data only)', result));
    expect(result.sentences).toBeGreaterThanOrEqual(300);
    expect(result.normExact).toBe(result.sentences);
    expect(result.exact / result.sentences).toBeGreaterThanOrEqual(0.885);
    expect(result.phoneErrorRate).toBeLessThanOrEqual(0.016);
  });
});
