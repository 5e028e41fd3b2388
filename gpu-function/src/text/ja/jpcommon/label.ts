/**
 * JPCommon's full-context labels (HTS's Japanese label format), one per phoneme plus a silence at each end, written
 * exactly as OpenJTalk's `JPCommonLabel_make` writes them: quinphone, then A (mora position in its accent phrase), B/C/D
 * (previous, current and next word's codes), E/F/G (previous, current, next accent phrase), H/I/J (breath groups) and
 * K (utterance). Positions and counts are clamped to the format's limits (19, 49, 99, 199).
 *
 * Counts walk the utterance's links the way JPCommon does, not its lists: an accent phrase that was chained across a
 * pause counts the pause's neighbours the same way OpenJTalk counts them.
 * @module
 */
import { SHORT_PAUSE, type AccentPhrase, type BreathGroup, type Mora, type Phoneme, type Utterance, type Word } from './utterance.ts';

const SILENCE = 'sil';
const NONE = 'xx';
const MAX_S = 19;
const MAX_M = 49;
const MAX_L = 99;
const MAX_LL = 199;

/** JPCommon's structure guarantees these links; a missing one is a bug here, not bad input. */
function required<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`JPCommon labels: ${what}`);
  return value;
}

function limit(value: number, min: number, max: number): number {
  return Math.min(Math.max(value, min), max);
}

/** Steps along `next` from `from`, counting until `until` (inclusive) or the end. */
function countAlong<T extends { next: T | null }>(from: T | null, until: T): number {
  let count = 0;
  for (let node = from; node !== null; node = node.next) {
    count += 1;
    if (node === until) break;
  }
  return count;
}

function countBack<T extends { prev: T | null }>(from: T | null): number {
  let count = 0;
  for (let node = from; node !== null; node = node.prev) count += 1;
  return count;
}

function countAfter<T extends { next: T | null }>(from: T): number {
  let count = 0;
  for (let node = from.next; node !== null; node = node.next) count += 1;
  return count;
}

const phraseOfWord = (word: Word): AccentPhrase => required(word.phrase, 'a word outside any accent phrase');
const phraseOf = (mora: Mora): AccentPhrase => phraseOfWord(mora.word);
const moraIndexInPhrase = (mora: Mora): number => countAlong(phraseOf(mora).head.head, mora);
const moraCountInPhrase = (mora: Mora): number => countAlong(phraseOf(mora).head.head, phraseOf(mora).tail.tail);
const phraseIndexInGroup = (phrase: AccentPhrase): number => countAlong(phrase.group.head, phrase);
const phraseCountInGroup = (phrase: AccentPhrase): number => countAlong(phrase.group.head, phrase.group.tail);
const groupOf = (mora: Mora): BreathGroup => phraseOf(mora).group;
const moraIndexInGroup = (mora: Mora): number => countAlong(groupOf(mora).head.head.head, mora);
const moraCountInGroup = (mora: Mora): number => countAlong(groupOf(mora).head.head.head, groupOf(mora).tail.tail.tail);
const groupCountInUtterance = (group: BreathGroup): number => countBack(group) + countAfter(group);
const phraseCountInUtterance = (phrase: AccentPhrase): number => countBack(phrase) + countAfter(phrase);
const moraCountInUtterance = (mora: Mora): number => countBack(mora) + countAfter(mora);

/** Morae in the phrase and its accent nucleus (a flat phrase's nucleus is its last mora), clamped. */
function phraseShape(phrase: AccentPhrase): string {
  const morae = moraCountInPhrase(phrase.head.head);
  return `${limit(morae, 1, MAX_M)}_${limit(phrase.accent === 0 ? morae : phrase.accent, 1, MAX_M)}`;
}

const question = (phrase: AccentPhrase): string => (phrase.question ? '1' : '0');
const moraOf = (phoneme: Phoneme): Mora => required(phoneme.mora, 'a pause has no mora');
const wordOf = (phoneme: Phoneme): Word => moraOf(phoneme).word;
/** A pause's neighbours: never missing, since JPCommon only inserts a pause between two phonemes. */
const beside = (phoneme: Phoneme | null): Phoneme => required(phoneme, 'a pause at an end of the utterance');
const phraseAt = (phoneme: Phoneme): AccentPhrase => phraseOfWord(wordOf(phoneme));
const groupSize = (group: BreathGroup): string =>
  `${limit(phraseCountInGroup(group.head), 1, MAX_M)}_${limit(moraCountInGroup(group.head.head.head), 1, MAX_L)}`;

function makeLabel(utterance: Utterance, p: Phoneme, names: readonly string[], i: number, size: number): string {
  const pause = p.name === SHORT_PAUSE;
  const edge = i === 0 || i === size - 1;
  const parts = [`${names[i]}^${names[i + 1]}-${names[i + 2]}+${names[i + 3]}=${names[i + 4]}`];

  if (edge || pause) parts.push('/A:xx+xx+xx');
  else {
    const mora = moraOf(p);
    const index = moraIndexInPhrase(mora);
    const phrase = phraseOf(mora);
    const nucleus = phrase.accent === 0 ? moraCountInPhrase(mora) : phrase.accent;
    parts.push(`/A:${limit(index - nucleus, -MAX_M, MAX_M)}+${limit(index, 1, MAX_M)}+${limit(moraCountInPhrase(mora) - index + 1, 1, MAX_M)}`);
  }

  let word: Word | null;
  if (pause) word = wordOf(beside(p.prev));
  else if (wordOf(p).prev === null) word = null;
  else if (i === size - 1) word = wordOf(p);
  else word = wordOf(p).prev;
  parts.push(word === null ? '/B:xx-xx_xx' : `/B:${word.codes.pos}-${word.codes.ctype}_${word.codes.cform}`);

  if (edge || pause) parts.push('/C:xx_xx+xx');
  else parts.push(`/C:${wordOf(p).codes.pos}_${wordOf(p).codes.ctype}+${wordOf(p).codes.cform}`);

  if (pause) word = wordOf(beside(p.next));
  else if (wordOf(p).next === null) word = null;
  else if (i === 0) word = wordOf(p);
  else word = wordOf(p).next;
  parts.push(word === null ? '/D:xx+xx_xx' : `/D:${word.codes.pos}+${word.codes.ctype}_${word.codes.cform}`);

  let phrase: AccentPhrase | null;
  if (pause) phrase = wordOf(beside(p.prev)).phrase;
  else if (i === size - 1) phrase = wordOf(p).phrase;
  else phrase = phraseAt(p).prev;
  parts.push(phrase === null ? '/E:xx_xx!xx_xx' : `/E:${phraseShape(phrase)}!${question(phrase)}_xx`);
  if (edge || pause || phrase === null) parts.push('-xx');
  else parts.push(`-${phrase.tail.tail.tail.next?.name === SHORT_PAUSE ? 0 : 1}`);

  phrase = edge || pause ? null : wordOf(p).phrase;
  if (phrase === null) parts.push('/F:xx_xx#xx_xx@xx_xx|xx_xx');
  else {
    const index = phraseIndexInGroup(phrase);
    const moraIndex = moraIndexInGroup(phrase.head.head);
    parts.push(
      `/F:${phraseShape(phrase)}#${question(phrase)}_xx@${limit(index, 1, MAX_M)}_${limit(phraseCountInGroup(phrase) - index + 1, 1, MAX_M)}` +
        `|${limit(moraIndex, 1, MAX_L)}_${limit(moraCountInGroup(phrase.head.head) - moraIndex + 1, 1, MAX_L)}`,
    );
  }

  if (pause) phrase = wordOf(beside(p.next)).phrase;
  else if (i === 0) phrase = wordOf(p).phrase;
  else phrase = phraseAt(p).next;
  parts.push(phrase === null ? '/G:xx_xx%xx_xx' : `/G:${phraseShape(phrase)}%${question(phrase)}_xx`);
  if (edge || pause || phrase === null) parts.push('_xx');
  else parts.push(`_${phrase.head.head.head.prev?.name === SHORT_PAUSE ? 0 : 1}`);

  let group: BreathGroup | null;
  if (pause) group = phraseAt(beside(p.prev)).group;
  else if (i === size - 1) group = phraseAt(p).group;
  else group = phraseAt(p).group.prev;
  parts.push(group === null ? '/H:xx_xx' : `/H:${groupSize(group)}`);

  group = edge || pause ? null : phraseAt(p).group;
  if (group === null) parts.push('/I:xx-xx@xx+xx&xx-xx|xx+xx');
  else {
    const groupIndex = countBack(group);
    const phraseIndex = countBack(group.head);
    const moraIndex = countBack(group.head.head.head);
    parts.push(
      `/I:${groupSize(group).replace('_', '-')}` +
        `@${limit(groupIndex, 1, MAX_S)}+${limit(groupCountInUtterance(group) - groupIndex + 1, 1, MAX_S)}` +
        `&${limit(phraseIndex, 1, MAX_M)}-${limit(phraseCountInUtterance(group.head) - phraseIndex + 1, 1, MAX_M)}` +
        `|${limit(moraIndex, 1, MAX_LL)}+${limit(moraCountInUtterance(group.head.head.head) - moraIndex + 1, 1, MAX_LL)}`,
    );
  }

  if (pause) group = phraseAt(beside(p.next)).group;
  else if (i === 0) group = phraseAt(p).group;
  else group = phraseAt(p).group.next;
  parts.push(group === null ? '/J:xx_xx' : `/J:${groupSize(group)}`);

  parts.push(
    `/K:${limit(groupCountInUtterance(required(utterance.groupHead, 'no breath group')), 1, MAX_S)}+${limit(phraseCountInUtterance(required(utterance.phraseHead, 'no accent phrase')), 1, MAX_M)}` +
      `-${limit(moraCountInUtterance(required(utterance.moraHead, 'no mora')), 1, MAX_LL)}`,
  );
  return parts.join('');
}

/** The utterance's labels; none when it has no phoneme (OpenJTalk makes none then either). */
export function makeLabels(utterance: Utterance): string[] {
  const phonemes: Phoneme[] = [];
  for (let p = utterance.phonemeHead; p !== null; p = p.next) phonemes.push(p);
  const first = phonemes[0];
  if (first === undefined) return [];
  const size = phonemes.length + 2;
  const names = [NONE, NONE, SILENCE, ...phonemes.map((p) => p.name), SILENCE, NONE, NONE];
  const labels: string[] = [];
  // The leading silence is described from the first phoneme and the trailing one from the last.
  for (let i = 0; i < size; i++) labels.push(makeLabel(utterance, phonemes[limit(i - 1, 0, phonemes.length - 1)] ?? first, names, i, size));
  return labels;
}
