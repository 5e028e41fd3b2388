/**
 * JPCommon's utterance structure: phonemes inside morae inside words inside accent phrases inside breath groups, all
 * linked both ways, built word by word from NJD's pronunciations as OpenJTalk's `JPCommonLabel_push_word` does.
 *
 * The structure keeps JPCommon's quirks because the labels count along these links: a long-vowel mark at the start
 * of a word lengthens the previous word; a question mark flags the last accent phrase and, like a comma, asks for a
 * pause before the next mora; a word chained to the previous one (chain flag 1) stays in its accent phrase even
 * across a pause; a word that yields no mora is dropped.
 * @module
 */
import { moraAt } from './mora.ts';
import type { WordCodes } from './word-codes.ts';

export const SHORT_PAUSE = 'pau';
const PAUSE_MARK = '、';
const QUESTION_MARK = '？';
const LONG_VOWEL_MARK = 'ー';
const UNVOICED_MARK = '’';
const UNVOICED: Readonly<Record<string, string>> = { a: 'A', i: 'I', u: 'U', e: 'E', o: 'O' };

export interface Phoneme {
  name: string;
  prev: Phoneme | null;
  next: Phoneme | null;
  /** null for a pause. */
  readonly mora: Mora | null;
}

export interface Mora {
  readonly kana: string;
  head: Phoneme;
  tail: Phoneme;
  prev: Mora | null;
  next: Mora | null;
  readonly word: Word;
}

export interface Word {
  readonly codes: WordCodes;
  head: Mora;
  tail: Mora;
  prev: Word | null;
  next: Word | null;
  phrase: AccentPhrase | null;
}

export interface AccentPhrase {
  /** Accent nucleus in morae, 0 for flat: the first word's. */
  readonly accent: number;
  question: boolean;
  head: Word;
  tail: Word;
  prev: AccentPhrase | null;
  next: AccentPhrase | null;
  readonly group: BreathGroup;
}

export interface BreathGroup {
  head: AccentPhrase;
  tail: AccentPhrase;
  prev: BreathGroup | null;
  next: BreathGroup | null;
}

/** One word as JPCommon receives it from NJD. */
export interface JpcommonWord {
  readonly pron: string;
  readonly codes: WordCodes;
  readonly acc: number;
  readonly chainFlag: number;
}

/** A link filled in right after creation: the structure is circular, so one side of each pair comes first. */
function linkedLater(): never {
  return null as never;
}

export class Utterance {
  phonemeHead: Phoneme | null = null;
  phonemeTail: Phoneme | null = null;
  moraHead: Mora | null = null;
  moraTail: Mora | null = null;
  wordHead: Word | null = null;
  wordTail: Word | null = null;
  phraseHead: AccentPhrase | null = null;
  phraseTail: AccentPhrase | null = null;
  groupHead: BreathGroup | null = null;
  groupTail: BreathGroup | null = null;
  private pausePending = false;

  push(word: JpcommonWord): void {
    if (word.pron === PAUSE_MARK) {
      this.pausePending = true;
      return;
    }
    if (word.pron === QUESTION_MARK) {
      const last = this.phonemeTail;
      if (last !== null) {
        const voiced = last.name === SHORT_PAUSE ? last.prev : last;
        const phrase = voiced?.mora?.word.phrase;
        if (phrase !== null && phrase !== undefined) phrase.question = true;
      }
      this.pausePending = true;
      return;
    }
    let current: Word | null = null;
    let at = 0;
    while (at < word.pron.length) {
      if (word.pron.startsWith(LONG_VOWEL_MARK, at)) {
        if (this.phonemeTail !== null && this.moraTail !== null && !this.pausePending) this.lengthen(this.phonemeTail, this.moraTail);
        at += LONG_VOWEL_MARK.length;
      } else if (word.pron.startsWith(UNVOICED_MARK, at)) {
        if (this.phonemeTail !== null && current !== null) {
          this.phonemeTail.name = UNVOICED[this.phonemeTail.name] ?? this.phonemeTail.name;
        }
        at += UNVOICED_MARK.length;
      } else {
        const mora = moraAt(word.pron, at);
        // JPCommon stops reading a pronunciation at the first character that is no mora.
        if (mora === undefined) break;
        current = this.addMora(mora.kana, mora.phonemes, current, word.codes);
        at += mora.kana.length;
      }
    }
    if (current === null) return;
    this.placeWord(current, word);
  }

  /** A long-vowel mark repeats the last phoneme as a mora of the last word. */
  private lengthen(last: Phoneme, lastMora: Mora): void {
    const word = lastMora.word;
    const mora: Mora = { kana: LONG_VOWEL_MARK, head: linkedLater(), tail: linkedLater(), prev: lastMora, next: null, word };
    const phoneme = this.appendPhoneme(last.name, mora);
    mora.head = phoneme;
    mora.tail = phoneme;
    lastMora.next = mora;
    this.moraTail = mora;
    word.tail = mora;
  }

  private addMora(kana: string, phonemes: readonly string[], current: Word | null, codes: WordCodes): Word {
    this.insertPendingPause();
    const [first, ...rest] = phonemes;
    if (first === undefined) throw new Error(`mora ${kana} without phonemes`);
    const previousMora = this.moraTail;
    const word = current ?? this.newWord(codes);
    const mora: Mora = { kana, head: linkedLater(), tail: linkedLater(), prev: previousMora, next: null, word };
    mora.head = this.appendPhoneme(first, mora);
    mora.tail = mora.head;
    for (const phoneme of rest) {
      this.insertPendingPause();
      mora.tail = this.appendPhoneme(phoneme, mora);
    }
    if (previousMora === null) this.moraHead = mora;
    else previousMora.next = mora;
    this.moraTail = mora;
    if (current === null) word.head = mora;
    word.tail = mora;
    return word;
  }

  /** A word starts with its first mora, which the caller links in. */
  private newWord(codes: WordCodes): Word {
    const word: Word = { codes, head: linkedLater(), tail: linkedLater(), prev: this.wordTail, next: null, phrase: null };
    if (this.wordTail === null) this.wordHead = word;
    else this.wordTail.next = word;
    this.wordTail = word;
    return word;
  }

  private appendPhoneme(name: string, mora: Mora | null): Phoneme {
    const phoneme: Phoneme = { name, prev: this.phonemeTail, next: null, mora };
    if (this.phonemeTail === null) this.phonemeHead = phoneme;
    else this.phonemeTail.next = phoneme;
    this.phonemeTail = phoneme;
    return phoneme;
  }

  private insertPendingPause(): void {
    if (!this.pausePending) return;
    // JPCommon drops a pause that would open the utterance or follow another pause.
    if (this.phonemeTail === null) {
      this.pausePending = false;
      return;
    }
    if (this.phonemeTail.name === SHORT_PAUSE) return;
    this.appendPhoneme(SHORT_PAUSE, null);
    this.pausePending = false;
  }

  /** Puts a new word into an accent phrase and breath group: its own, its predecessor's, or a new one after a pause. */
  private placeWord(word: Word, source: JpcommonWord): void {
    if (this.phonemeTail === null || this.phonemeTail.name === SHORT_PAUSE) return;
    const previous = word.prev;
    if (previous === null) {
      const group: BreathGroup = { head: linkedLater(), tail: linkedLater(), prev: null, next: null };
      const phrase = this.newPhrase(word, source.acc, group);
      group.head = phrase;
      group.tail = phrase;
      this.phraseHead = phrase;
      this.groupHead = group;
      this.groupTail = group;
      return;
    }
    const lastPhrase = this.phraseTail;
    let group = this.groupTail;
    if (lastPhrase === null || group === null) throw new Error('JPCommon: a later word before any accent phrase');
    if (source.chainFlag === 1) {
      word.phrase = lastPhrase;
      lastPhrase.tail = word;
      return;
    }
    const afterPause = previous.tail.tail.next?.name === SHORT_PAUSE;
    if (afterPause) {
      const next: BreathGroup = { head: linkedLater(), tail: linkedLater(), prev: group, next: null };
      group.next = next;
      group = next;
      this.groupTail = next;
    }
    const phrase = this.newPhrase(word, source.acc, group);
    if (afterPause) group.head = phrase;
    group.tail = phrase;
  }

  private newPhrase(word: Word, accent: number, group: BreathGroup): AccentPhrase {
    const phrase: AccentPhrase = { accent, question: false, head: word, tail: word, prev: this.phraseTail, next: null, group };
    if (this.phraseTail !== null) this.phraseTail.next = phrase;
    this.phraseTail = phrase;
    word.phrase = phrase;
    return phrase;
  }
}
