/**
 * The NJD rules' working state: OpenJTalk's doubly linked list of words, which the rules edit in place (digits insert
 * and remove words, pronunciation merges kana runs). Text fields hold `''` where OpenJTalk holds NULL, because
 * OpenJTalk stores an empty string as NULL too and reads NULL back as `*`; keeping the two apart matters where a rule
 * appends to a field (NULL + `ア` is `ア`, a stored `*` + `ア` would be `*ア`).
 * @module
 */
import type { NjdNode } from './node.ts';

const UNSET = '*';

/** The text fields a rule can read, set or append to. */
export type NjdTextField = 'string' | 'pos' | 'posGroup1' | 'posGroup2' | 'posGroup3' | 'ctype' | 'cform' | 'orig' | 'read' | 'pron' | 'chainRule';

export class NjdWord {
  prev: NjdWord | undefined;
  next: NjdWord | undefined;
  readonly #text: Record<NjdTextField, string> = {
    string: '', pos: '', posGroup1: '', posGroup2: '', posGroup3: '', ctype: '', cform: '', orig: '', read: '', pron: '', chainRule: '',
  };
  #acc = 0;
  #moraSize = 0;
  chainFlag = -1;

  /** The field as OpenJTalk's getters return it: `*` when unset. */
  get(field: NjdTextField): string {
    const value = this.#text[field];
    return value === '' ? UNSET : value;
  }

  /** Sets a field; `undefined` or `''` unsets it (OpenJTalk's NULL). */
  set(field: NjdTextField, value: string | undefined): void {
    this.#text[field] = value ?? '';
  }

  append(field: NjdTextField, value: string): void {
    this.#text[field] += value;
  }

  get string(): string { return this.get('string'); }
  get pos(): string { return this.get('pos'); }
  get posGroup1(): string { return this.get('posGroup1'); }
  get posGroup2(): string { return this.get('posGroup2'); }
  get posGroup3(): string { return this.get('posGroup3'); }
  get cform(): string { return this.get('cform'); }
  get orig(): string { return this.get('orig'); }
  get read(): string { return this.get('read'); }
  get pron(): string { return this.get('pron'); }
  get chainRule(): string { return this.get('chainRule'); }

  get acc(): number { return this.#acc; }
  /** OpenJTalk clamps negative accents and mora counts to 0 (with a warning). */
  set acc(value: number) { this.#acc = Math.max(0, value); }
  get moraSize(): number { return this.#moraSize; }
  set moraSize(value: number) { this.#moraSize = Math.max(0, value); }

  /** A detached copy of every field (OpenJTalk's `NJDNode_copy`). */
  clone(): NjdWord {
    const copy = new NjdWord();
    Object.assign(copy.#text, this.#text);
    copy.#acc = this.#acc;
    copy.#moraSize = this.#moraSize;
    copy.chainFlag = this.chainFlag;
    return copy;
  }

  toNode(): NjdNode {
    return {
      string: this.string, pos: this.pos, posGroup1: this.posGroup1, posGroup2: this.posGroup2, posGroup3: this.posGroup3,
      ctype: this.get('ctype'), cform: this.cform, orig: this.orig, read: this.read, pron: this.pron,
      acc: this.acc, moraSize: this.moraSize, chainRule: this.chainRule, chainFlag: this.chainFlag,
    };
  }
}

/** OpenJTalk's `NJD`: the list the rules walk with `prev`/`next`. */
export class NjdWordList {
  head: NjdWord | undefined;
  tail: NjdWord | undefined;

  static of(words: Iterable<NjdWord>): NjdWordList {
    const list = new NjdWordList();
    for (const word of words) list.push(word);
    return list;
  }

  push(word: NjdWord): void {
    word.next = undefined;
    word.prev = this.tail;
    if (this.tail === undefined) this.head = word;
    else this.tail.next = word;
    this.tail = word;
  }

  /** Unlinks a word and returns the one after it (OpenJTalk's `NJD_remove_node`). */
  remove(word: NjdWord): NjdWord | undefined {
    const { prev, next } = word;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    word.prev = undefined;
    word.next = undefined;
    return next;
  }

  /** Links `word` between `prev` and `prev.next`. */
  insertAfter(prev: NjdWord, word: NjdWord): void {
    const next = prev.next;
    word.prev = prev;
    word.next = next;
    prev.next = word;
    if (next === undefined) this.tail = word;
    else next.prev = word;
  }

  /** Drops the words with no pronunciation (OpenJTalk's `NJD_remove_silent_node`). */
  removeSilent(): void {
    for (let word = this.head; word !== undefined; ) word = word.pron === UNSET ? this.remove(word) : word.next;
  }

  *[Symbol.iterator](): IterableIterator<NjdWord> {
    for (let word = this.head; word !== undefined; word = word.next) yield word;
  }

  toNodes(): NjdNode[] {
    return [...this].map((word) => word.toNode());
  }
}
