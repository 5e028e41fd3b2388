/**
 * The `.def` files of a MeCab dictionary's source folder that compiling a user dictionary reads, as MeCab 0.996
 * reads them (dictionary_rewriter.cpp, context_id.cpp): `rewrite.def` turns a feature into the left and right
 * context features, `left-id.def`/`right-id.def` number those, and `pos-id.def` gives each entry its POS id. A
 * malformed line fails with the file and line (OpenJTalk's MeCab prints and carries on into undefined behaviour).
 * @module
 */
import { atoi, escapeCsvElement, getLines, tokenizeCsv, tokenizeWhitespace } from './mecab-text.ts';

/** The rewrite patterns MeCab splits with `tokenizeCSV(…, 512)`. */
const PATTERN_FIELDS = 512;

/** One `pattern replacement` line: feature fields matched in order, then the replacement with `$n` for field n. */
class RewritePattern {
  readonly #match: readonly string[];
  readonly #replace: readonly string[];

  constructor(pattern: string, replacement: string) {
    this.#match = tokenizeCsv(pattern, PATTERN_FIELDS);
    this.#replace = tokenizeCsv(replacement, PATTERN_FIELDS);
  }

  rewrite(fields: readonly string[]): string | undefined {
    if (this.#match.length > fields.length) return undefined;
    if (!this.#match.every((pattern, i) => matches(pattern, fields[i] ?? ''))) return undefined;
    return this.#replace.map((template) => escapeCsvElement(substitute(template, fields))).join(',');
  }
}

/** `match_rewrite_pattern`: a pattern opening with `*` matches anything; `(a|b)` matches either; else equality. */
function matches(pattern: string, field: string): boolean {
  if (pattern.startsWith('*') || pattern === field) return true;
  if (pattern.length >= 3 && pattern.startsWith('(') && pattern.endsWith(')')) return pattern.slice(1, -1).split('|').includes(field);
  return false;
}

/** `$n` → field n (1-based); the character that ends the digits is kept. */
function substitute(template: string, fields: readonly string[]): string {
  let out = '';
  for (let p = 0; p < template.length; p++) {
    if (template[p] !== '$') {
      out += template[p] ?? '';
      continue;
    }
    let n = 0;
    for (p++; p < template.length && /\d/u.test(template[p] ?? ''); p++) n = 10 * n + Number(template[p]);
    if (n === 0 || n > fields.length) throw new Error(`rewrite rule ${JSON.stringify(template)}: $${n} is out of range for a feature of ${fields.length} fields`);
    out += fields[n - 1] ?? '';
    if (p < template.length) out += template[p] ?? '';
  }
  return out;
}

class RewriteRules {
  readonly patterns: RewritePattern[] = [];
  rewrite(fields: readonly string[]): string | undefined {
    for (const pattern of this.patterns) {
      const out = pattern.rewrite(fields);
      if (out !== undefined) return out;
    }
    return undefined;
  }
}

/** `rewrite.def`: the unigram, left and right sections. */
export class DictionaryRewriter {
  readonly #sections = { unigram: new RewriteRules(), left: new RewriteRules(), right: new RewriteRules() };

  constructor(text: string, file = 'rewrite.def') {
    const headings: Readonly<Record<string, 'unigram' | 'left' | 'right'>> = {
      '[unigram rewrite]': 'unigram',
      '[left rewrite]': 'left',
      '[right rewrite]': 'right',
    };
    let section: RewriteRules | undefined;
    getLines(text).forEach((line, index) => {
      if (line === '' || line.startsWith('#')) return;
      const heading = headings[line];
      if (heading !== undefined) {
        section = this.#sections[heading];
        return;
      }
      const where = `${file}:${index + 1}`;
      if (section === undefined) throw new Error(`${where}: a rule before any [... rewrite] section`);
      const columns = tokenizeWhitespace(line, 3);
      if (columns.length < 2) throw new Error(`${where}: format error: ${JSON.stringify(line)}`);
      const [pattern = '', first = '', second] = columns;
      section.patterns.push(new RewritePattern(pattern, second === undefined ? first : `${first} ${second}`));
    });
  }

  /** The left and right context features of `feature`; `undefined` when a section has no rule for it. */
  contextFeatures(feature: string): { readonly left: string; readonly right: string } | undefined {
    const fields = tokenizeCsv(feature);
    const unigram = this.#sections.unigram.rewrite(fields);
    const left = this.#sections.left.rewrite(fields);
    const right = this.#sections.right.rewrite(fields);
    return unigram === undefined || left === undefined || right === undefined ? undefined : { left, right };
  }
}

/** `left-id.def` or `right-id.def`: `id feature` lines; the first line for a feature wins (std::map::insert). */
export function parseContextIds(text: string, file: string): ReadonlyMap<string, number> {
  const ids = new Map<string, number>();
  getLines(text).forEach((line, index) => {
    const columns = tokenizeWhitespace(line, 2);
    if (columns.length !== 2) throw new Error(`${file}:${index + 1}: format error: ${JSON.stringify(line)}`);
    const [id = '', feature = ''] = columns;
    if (!ids.has(feature)) ids.set(feature, atoi(id));
  });
  return ids;
}

/** `pos-id.def`: `pattern id` lines; without the file every entry gets POS id 1, as MeCab's "minimum setting". */
export class PosIdGenerator {
  readonly #rules = new RewriteRules();

  constructor(text: string | undefined, file = 'pos-id.def') {
    if (text === undefined) {
      this.#rules.patterns.push(new RewritePattern('*', '1'));
      return;
    }
    getLines(text).forEach((line, index) => {
      const columns = tokenizeWhitespace(line, 2);
      const [pattern = '', id = ''] = columns;
      if (columns.length !== 2 || !/^\d*$/u.test(id)) throw new Error(`${file}:${index + 1}: format error: ${JSON.stringify(line)}`);
      this.#rules.patterns.push(new RewritePattern(pattern, id));
    });
  }

  /** The POS id of `feature`, or -1 when no rule matches. */
  id(feature: string): number {
    const out = this.#rules.rewrite(tokenizeCsv(feature));
    return out === undefined ? -1 : atoi(out);
  }
}
