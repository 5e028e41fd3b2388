/**
 * jieba posseg's character-level part-of-speech HMM (`posseg/prob_start`, `prob_trans`, `prob_emit`,
 * `char_state_tab`) and its Viterbi decoder (`posseg/viterbi.py`), which segments and tags the runs of characters
 * the dictionary does not cover.
 *
 * A state is a word position (`B`egin, `M`iddle, `E`nd, `S`ingle) and a POS tag, written `"B a"` here for jieba's
 * tuple `('B', 'a')`. The decoder keeps viterbi.py's exact arithmetic (left-to-right sums of the same log
 * probabilities) and its tie-breaking (Python's `max` over `(probability, state)` tuples: equal probabilities go
 * to the larger state tuple), so it picks the same path. The model is the user's data (jieba's package files,
 * read at bundle time by frontend-data/); nothing of it ships.
 * @module
 */

/** jieba's floor for an unseen emission (`MIN_FLOAT`). */
const MIN_FLOAT = -3.14e100;

/** The model as jieba's four tables hold it, states written `"<position> <tag>"`. */
export interface PossegHmmTables {
  readonly start: Readonly<Record<string, number>>;
  readonly trans: Readonly<Record<string, Readonly<Record<string, number>>>>;
  readonly emit: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Character → the states it was seen in, in jieba's order. */
  readonly charStates: Readonly<Record<string, readonly string[]>>;
}

/** The tables indexed for decoding. */
export interface PossegHmm {
  /** State names (`"B a"`), by state id. */
  readonly names: readonly string[];
  /** `all_states`: every state with a transition row, in the table's order. */
  readonly allStates: readonly number[];
  readonly start: Float64Array;
  /** Per state: next state → log probability. */
  readonly trans: readonly ReadonlyMap<number, number>[];
  readonly emit: readonly ReadonlyMap<string, number>[];
  readonly charStates: ReadonlyMap<string, readonly number[]>;
  /** Rank of each state in Python's tuple order (position letter, then tag), for ties. */
  readonly rank: Int32Array;
}

const STATE = /^[BMES] \S+$/u;

/** Indexes and checks the tables; an error names the table and the entry that does not fit. */
export function compilePossegHmm(tables: PossegHmmTables, file: string): PossegHmm {
  const names = Object.keys(tables.trans);
  const ids = new Map(names.map((name, id) => [name, id]));
  const idOf = (name: string, where: string): number => {
    const id = ids.get(name);
    if (id === undefined) throw new Error(`${file}: ${where} names state "${name}", which has no transition row`);
    return id;
  };
  for (const name of names) if (!STATE.test(name)) throw new Error(`${file}: "${name}" is not a posseg state ("B a", "E nr", ...)`);
  const start = new Float64Array(names.length).fill(Number.NaN);
  for (const [name, p] of Object.entries(tables.start)) start[idOf(name, 'prob_start')] = p;
  const trans = names.map((name) => {
    const row = new Map<number, number>();
    for (const [next, p] of Object.entries(tables.trans[name] ?? {})) row.set(idOf(next, `prob_trans["${name}"]`), p);
    return row;
  });
  const emit = names.map(() => new Map<string, number>());
  for (const [name, row] of Object.entries(tables.emit)) emit[idOf(name, 'prob_emit')] = new Map(Object.entries(row));
  const charStates = new Map<string, readonly number[]>();
  for (const [char, states] of Object.entries(tables.charStates)) {
    charStates.set(char, states.map((state) => idOf(state, `char_state_tab["${char}"]`)));
  }
  start.forEach((p, id) => {
    if (Number.isNaN(p)) throw new Error(`${file}: state "${names[id] ?? ''}" has no start probability`);
  });
  const order = names.map((_, id) => id).sort((a, b) => comparePythonTuples(names[a] ?? '', names[b] ?? ''));
  const rank = new Int32Array(names.length);
  order.forEach((id, position) => {
    rank[id] = position;
  });
  return { names, allStates: names.map((_, id) => id), start, trans, emit, charStates, rank };
}

/** `('B', 'a') < ('B', 'ad')`: element by element, strings by code point. */
function comparePythonTuples(a: string, b: string): number {
  const [a0 = '', a1 = ''] = a.split(' ');
  const [b0 = '', b1 = ''] = b.split(' ');
  if (a0 !== b0) return a0 < b0 ? -1 : 1;
  if (a1 === b1) return 0;
  return a1 < b1 ? -1 : 1;
}

/** `viterbi(obs, states, start_p, trans_p, emit_p)`: the best state per character of `text` (UTF-16 units). */
export function possegViterbi(text: string, hmm: PossegHmm): number[] {
  const chars = Array.from(text);
  if (chars.length === 0) return [];
  const better = (p: number, state: number, bestP: number, best: number): boolean =>
    p > bestP || (p === bestP && (best < 0 || (hmm.rank[state] ?? 0) > (hmm.rank[best] ?? 0)));
  let scores = new Map<number, number>();
  const paths: Map<number, number>[] = [new Map<number, number>()];
  const first = chars[0] ?? '';
  for (const state of hmm.charStates.get(first) ?? hmm.allStates) {
    scores.set(state, (hmm.start[state] ?? 0) + (hmm.emit[state]?.get(first) ?? MIN_FLOAT));
    paths[0]?.set(state, -1);
  }
  for (let t = 1; t < chars.length; t += 1) {
    const char = chars[t] ?? '';
    const previous = [...scores.keys()].filter((state) => (hmm.trans[state]?.size ?? 0) > 0);
    const expected = new Set<number>();
    for (const state of previous) for (const next of hmm.trans[state]?.keys() ?? []) expected.add(next);
    let candidates = (hmm.charStates.get(char) ?? hmm.allStates).filter((state) => expected.has(state));
    if (candidates.length === 0) candidates = expected.size > 0 ? [...expected] : [...hmm.allStates];
    if (previous.length === 0) throw new Error(`posseg HMM: no state before "${char}" has a transition`);
    const next = new Map<number, number>();
    const path = new Map<number, number>();
    for (const state of new Set(candidates)) {
      const emission = hmm.emit[state]?.get(char) ?? MIN_FLOAT;
      let bestP = Number.NEGATIVE_INFINITY;
      let best = -1;
      for (const from of previous) {
        // Summed left to right, as viterbi.py does: (V + trans) + emit.
        const p = (scores.get(from) ?? 0) + (hmm.trans[from]?.get(state) ?? Number.NEGATIVE_INFINITY) + emission;
        if (better(p, from, bestP, best)) {
          bestP = p;
          best = from;
        }
      }
      next.set(state, bestP);
      path.set(state, best);
    }
    scores = next;
    paths.push(path);
  }
  let bestP = Number.NEGATIVE_INFINITY;
  let last = -1;
  for (const [state, p] of scores) {
    if (better(p, state, bestP, last)) {
      bestP = p;
      last = state;
    }
  }
  const route = new Array<number>(chars.length);
  for (let t = chars.length - 1; t >= 0; t -= 1) {
    route[t] = last;
    last = paths[t]?.get(last) ?? -1;
  }
  return route;
}

export interface PossegWord {
  readonly word: string;
  readonly pos: string;
}

/** posseg's `__cut`: words and tags from the decoded states (a trailing unfinished word takes its first tag). */
export function possegHmmCut(text: string, hmm: PossegHmm): PossegWord[] {
  const chars = Array.from(text);
  const route = possegViterbi(text, hmm);
  const words: PossegWord[] = [];
  const stateOf = (i: number): [string, string] => {
    const [position = '', pos = ''] = (hmm.names[route[i] ?? -1] ?? ' ').split(' ');
    return [position, pos];
  };
  let begin = 0;
  let next = 0;
  chars.forEach((char, i) => {
    const [position, pos] = stateOf(i);
    if (position === 'B') begin = i;
    else if (position === 'E') {
      words.push({ word: chars.slice(begin, i + 1).join(''), pos });
      next = i + 1;
    } else if (position === 'S') {
      words.push({ word: char, pos });
      next = i + 1;
    }
  });
  if (next < chars.length) words.push({ word: chars.slice(next).join(''), pos: stateOf(next)[1] });
  return words;
}
