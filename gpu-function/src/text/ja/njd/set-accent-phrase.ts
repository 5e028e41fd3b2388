/**
 * OpenJTalk's `njd_set_accent_phrase`: decides, for every word whose dictionary entry did not already say, whether it
 * joins the previous word's accent phrase (chain flag 1) or starts a new one (0). The rules run in OpenJTalk's order
 * and a later rule overrides an earlier one; each rule's comment gives its intent. The first word is left as it is.
 * @module
 */
import type { NjdWord, NjdWordList } from './word.ts';

const NOUN = '名詞';
const ADJECTIVE = '形容詞';
const VERB = '動詞';
const ADVERB = '副詞';
const CONJUNCTION = '接続詞';
const ADNOMINAL = '連体詞';
const AUXILIARY_VERB = '助動詞';
const PARTICLE = '助詞';
const SYMBOL = '記号';
const PREFIX = '接頭詞';
const ADJECTIVAL_NOUN_STEM = '形容動詞語幹';
const ADVERBIAL_NOUN = '副詞可能';
const SUFFIX = '接尾';
const DEPENDENT = '非自立';
const CONTINUATIVE = '連用';
const CONJUNCTIVE_PARTICLE = '接続助詞';
const SURU_NOUN = 'サ変接続';
const FAMILY_NAME = '姓';
const GIVEN_NAME = '名';

function isFunctionWord(word: NjdWord): boolean {
  return word.pos === AUXILIARY_VERB || word.pos === PARTICLE;
}

function chainFlag(prev: NjdWord, word: NjdWord): number {
  // 1: by default a word joins the phrase (2: nouns in a row do too).
  let flag = 1;
  // 3: a noun after an adjective starts a phrase; 4: likewise after an adjectival noun stem.
  if (prev.pos === ADJECTIVE && word.pos === NOUN) flag = 0;
  if (prev.pos === NOUN && prev.posGroup1 === ADJECTIVAL_NOUN_STEM && word.pos === NOUN) flag = 0;
  // 5: an adjective or noun after a verb starts a phrase.
  if (prev.pos === VERB && (word.pos === ADJECTIVE || word.pos === NOUN)) flag = 0;
  // 6: adverbs, conjunctions and adnominals stand alone.
  const alone = [ADVERB, CONJUNCTION, ADNOMINAL];
  if (alone.includes(word.pos) || alone.includes(prev.pos)) flag = 0;
  // 7: adverbial nouns (すべて, ...) stand alone.
  if (prev.pos === NOUN && prev.posGroup1 === ADVERBIAL_NOUN) flag = 0;
  if (word.pos === NOUN && word.posGroup1 === ADVERBIAL_NOUN) flag = 0;
  // 8: particles and auxiliaries attach to what precedes them.
  if (isFunctionWord(word)) flag = 1;
  // 9: a content word after a particle or auxiliary starts a phrase.
  if (isFunctionWord(prev) && !isFunctionWord(word)) flag = 0;
  // 10: a noun after a suffix starts a phrase.
  if (prev.posGroup1 === SUFFIX && word.pos === NOUN) flag = 0;
  // 11: a dependent adjective attaches to a continuative verb or adjective, or to the particle て/で.
  if (word.pos === ADJECTIVE && word.posGroup1 === DEPENDENT) {
    if (prev.pos === VERB || prev.pos === ADJECTIVE) {
      if (prev.cform.startsWith(CONTINUATIVE)) flag = 1;
    } else if (prev.pos === PARTICLE && prev.posGroup1 === CONJUNCTIVE_PARTICLE && (prev.string === 'て' || prev.string === 'で')) {
      flag = 1;
    }
  }
  // 12: a dependent verb attaches to a continuative verb or a suru-noun.
  if (word.pos === VERB && word.posGroup1 === DEPENDENT) {
    if (prev.pos === VERB) {
      if (prev.cform.startsWith(CONTINUATIVE)) flag = 1;
    } else if (prev.pos === NOUN && prev.posGroup1 === SURU_NOUN) {
      flag = 1;
    }
  }
  // 13: a verb, adjective or adjectival noun stem after a noun starts a phrase.
  if (prev.pos === NOUN && (word.pos === VERB || word.pos === ADJECTIVE || word.posGroup1 === ADJECTIVAL_NOUN_STEM)) flag = 0;
  // 14: symbols stand alone; 15: prefixes start a phrase.
  if (word.pos === SYMBOL || prev.pos === SYMBOL) flag = 0;
  if (word.pos === PREFIX) flag = 0;
  // 16: a noun after a family name starts a phrase; 17: a given name after a noun does.
  if (prev.posGroup3 === FAMILY_NAME && word.pos === NOUN) flag = 0;
  if (prev.pos === NOUN && word.posGroup3 === GIVEN_NAME) flag = 0;
  // 18: suffixes attach.
  if (word.posGroup1 === SUFFIX) flag = 1;
  return flag;
}

export function setAccentPhrase(words: NjdWordList): void {
  for (let word = words.head?.next; word !== undefined; word = word.next) {
    if (word.chainFlag < 0 && word.prev !== undefined) word.chainFlag = chainFlag(word.prev, word);
  }
}
