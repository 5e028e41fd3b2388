import { describe, expect, it } from 'vitest';
import { englishDictionary } from './cmudict.ts';
import { englishPhones, isTitle } from './g2p.ts';
import { createEnglishG2p, type OovPredictor } from './index.ts';
import { resolveLexicon, type EnglishLexiconData } from './lexicon.ts';
import { segmentWords } from './word-segment.ts';

/** An OOV predictor that records what reached it, so tests see which words fell through every other rule. */
function recordingOov(): { predict: OovPredictor; seen: string[] } {
  const seen: string[] = [];
  return { predict: (word) => (seen.push(word), ['UH1']), seen };
}

const npmLexicon = resolveLexicon();
const phones = (text: string, predict: OovPredictor = () => ['UH1'], data: EnglishLexiconData = {}): string =>
  englishPhones(text, resolveLexicon(data), predict).phones.join(' ');

describe('English g2p (english.py)', () => {
  it('reads dictionary words and punctuation', () => {
    expect(phones('Hello world.')).toBe('HH AH0 L OW1 W ER1 L D .');
  });

  it('spells the acronyms english.py deletes from the dictionary', () => {
    expect(phones('ai os')).toBe('EY1 AY1 OW1 EH1 S');
  });

  it("reads words from the bundle's dictionary when it has one (engdict-hot.rep's words are not in npm data)", () => {
    expect(phones('conda')).not.toBe('K AA1 N D AH0');
    const dictionary = new Map(englishDictionary());
    dictionary.set('conda', ['K', 'AA1', 'N', 'D', 'AH0']);
    expect(phones('conda', undefined, { dictionary })).toBe('K AA1 N D AH0');
  });

  it('reads title-case words from the name dictionary after the main dictionary misses', () => {
    const names = new Map([['zorblax', ['Z', 'AO1', 'R', 'B', 'L', 'AE0', 'K', 'S']]]);
    const { predict, seen } = recordingOov();
    expect(phones('Zorblax', predict, { names })).toBe('Z AO1 R B L AE0 K S');
    expect(phones('zorblax', predict, { names })).toBe('UH1');
    expect(seen).toEqual(['zorblax']);
  });

  it("implements Python's str.istitle", () => {
    expect(['Hello', "O'Brien", 'A', 'Jean-Luc'].map(isTitle)).toEqual([true, true, true, true]);
    expect(['hello', 'McDonald', 'HELLO', "'", ''].map(isTitle)).toEqual([false, false, false, false, false]);
  });

  it('reads a capital A as the letter and a lower-case a as the article', () => {
    expect(phones('A')).toBe('EY1');
    expect(phones('a')).toBe('AH0');
  });

  it('chooses homograph readings by part of speech, with the read/complex overrides', () => {
    expect(phones('I refuse to go.')).toContain('R IH0 F Y UW1 Z');
    expect(phones('The refuse smells.')).toContain('R EH1 F Y UW0 S');
    expect(phones('Please read it.')).toContain('R IY1 D');
    expect(phones('She has read it.')).toContain('R EH1 D');
    expect(phones('A complex plan.')).toContain('K AH0 M P L EH1 K S');
  });

  it('spells unknown words of up to three letters', () => {
    expect(phones('xyz')).toBe('EH1 K S W AY1 Z IY1');
    expect(phones('qa')).toBe('K Y UW1 EY1');
  });

  it("reads possessives missing from the dictionary as the stem plus S, AH0 Z or Z", () => {
    expect(phones("laptop's")).toBe('L AE1 P T AA2 P S');
    expect(phones("sandwich's")).toBe('S AE1 N D W IH0 CH AH0 Z');
    expect(phones("umbrella's")).toBe('AH0 M B R EH1 L AH0 Z');
  });

  it('splits run-together words and reads the parts from the dictionary', () => {
    expect(segmentWords('snowboardjacket')).toEqual(['snowboard', 'jacket']);
    const { predict, seen } = recordingOov();
    expect(phones('snowboardjacket', predict)).toBe('S N OW1 B AO2 R D JH AE1 K AH0 T');
    expect(seen).toEqual([]);
  });

  it('sends words nothing else explains to the OOV predictor', () => {
    const { predict, seen } = recordingOov();
    englishPhones('zzxqwv', npmLexicon, predict);
    expect(seen).toEqual(['zzxqwv']);
  });

  it('counts phones per token in word2ph', () => {
    const result = englishPhones("Hi, it's me.", npmLexicon, () => []);
    expect(result.word2ph.reduce((a, b) => a + b, 0)).toBe(result.phones.length);
    expect(result.word2ph).toEqual([2, 1, 3, 2, 1]);
  });

  it("turns ' into - and prefixes runs of fewer than 4 phones with a comma", () => {
    const g2p = createEnglishG2p({ oov: () => [] });
    expect(g2p.convert("rock 'n' roll", 'v2').phones).toContain('-');
    expect(g2p.convert('Hi', 'v2')).toEqual({ normText: 'Hi', phones: [',', 'HH', 'AY1'], word2ph: [1, 2] });
    expect(g2p.convert('', 'v2').phones).toEqual([',']);
  });
});
