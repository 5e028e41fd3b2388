/**
 * A strict reader for the Python literals GPT-SoVITS and its packages keep their word lists and dictionaries in
 * (`self.must_neural_tone_words = {"麻烦", ...}` in tone_sandhi.py, `pinyin_dict = {0x3007: 'líng', ...}` in older
 * pypinyin releases, jieba posseg's `P = {('B', 'a'): -4.76, ...}`): strings, integers, floats, True/False/None,
 * lists, tuples, sets and dicts, with comments, implicit line joining, adjacent-string concatenation and trailing
 * commas.
 *
 * Hand-written because no npm package parses Python literals without running Python, and these files must never
 * be executed. Anything that is not a plain literal (a call, an operator, a name, an f-string) is refused with the
 * file, line and column, so a changed file fails loudly instead of being half read.
 * @module
 */

export interface PythonSequence {
  readonly kind: 'list' | 'tuple' | 'set';
  readonly items: readonly PythonLiteral[];
}

export interface PythonDict {
  readonly kind: 'dict';
  readonly entries: readonly (readonly [PythonLiteral, PythonLiteral])[];
}

export type PythonLiteral = string | number | boolean | null | PythonSequence | PythonDict;

export class PythonLiteralError extends Error {
  override readonly name = 'PythonLiteralError';
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '',
};
const CLOSERS: Readonly<Record<string, string>> = { '[': ']', '(': ')', '{': '}' };
/** Deeper nesting than any real file has; it keeps a hostile file from overflowing the stack. */
const MAX_DEPTH = 64;

class Reader {
  readonly #source: string;
  readonly #file: string;
  position: number;
  #depth = 0;

  constructor(source: string, file: string, position: number) {
    this.#source = source;
    this.#file = file;
    this.position = position;
  }

  fail(message: string, at = this.position): never {
    const before = this.#source.slice(0, at);
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    throw new PythonLiteralError(`${this.#file}:${line}:${column}: ${message}`);
  }

  peek(offset = 0): string {
    return this.#source.charAt(this.position + offset);
  }

  /** Skips blanks and comments; inside brackets line breaks are blanks too (implicit line joining). */
  skipBlanks(insideBrackets: boolean): void {
    for (;;) {
      const char = this.peek();
      if (char === ' ' || char === '\t' || char === '\f' || char === '\r' || (insideBrackets && char === '\n')) this.position += 1;
      else if (char === '\\' && this.peek(1) === '\n') this.position += 2;
      else if (char === '#') while (this.position < this.#source.length && this.peek() !== '\n') this.position += 1;
      else return;
    }
  }

  value(): PythonLiteral {
    this.skipBlanks(true);
    const char = this.peek();
    if (char in CLOSERS) return this.#container(char);
    if (/[-+0-9.]/u.test(char)) return this.#number();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/u.exec(this.#source.slice(this.position, this.position + 32))?.[0] ?? '';
    if (/^[rRuU]{0,2}$/u.test(word) && (this.peek(word.length) === '"' || this.peek(word.length) === "'")) return this.#strings();
    if (word === 'True' || word === 'False' || word === 'None') {
      this.position += word.length;
      return word === 'None' ? null : word === 'True';
    }
    return this.fail(word === '' ? `expected a literal, found ${JSON.stringify(char || 'end of file')}` : `expected a literal, found the name "${word}" (only plain literals are read)`);
  }

  /** A float (Python's syntax; `Number` rounds the same way `float()` does) or an integer. */
  #number(): number {
    const float = /^[-+]?(?:[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*[eE][-+]?[0-9]+)(?![.eEjJ0-9A-Za-z_])/u.exec(
      this.#source.slice(this.position, this.position + 64),
    );
    if (float === null) return this.#integer();
    this.position += float[0].length;
    return Number(float[0].replaceAll('_', ''));
  }

  #integer(): number {
    const match = /^[-+]?(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|[0-9][0-9_]*)(?![.eEjJ0-9A-Za-z])/u.exec(this.#source.slice(this.position, this.position + 64));
    if (match === null) return this.fail('expected a number');
    this.position += match[0].length;
    const text = match[0].replaceAll('_', '');
    const sign = text.startsWith('-') ? -1 : 1;
    const digits = text.replace(/^[-+]/u, '');
    const prefix = digits.slice(0, 2).toLowerCase();
    const radix = prefix === '0x' ? 16 : prefix === '0o' ? 8 : prefix === '0b' ? 2 : 10;
    const value = sign * Number.parseInt(radix === 10 ? digits : digits.slice(2), radix);
    if (!Number.isSafeInteger(value)) return this.fail(`integer ${match[0]} is out of range`, this.position - match[0].length);
    return value;
  }

  /** One or more adjacent string literals, concatenated as Python does. */
  #strings(): string {
    let text = '';
    for (;;) {
      text += this.#string();
      const mark = this.position;
      this.skipBlanks(true);
      const prefix = /^[rRuU]{0,2}(?=["'])/u.exec(this.#source.slice(this.position, this.position + 3))?.[0];
      if (prefix === undefined) {
        this.position = mark;
        return text;
      }
    }
  }

  #string(): string {
    const start = this.position;
    let raw = false;
    while (this.peek() !== '"' && this.peek() !== "'") {
      if (this.peek().toLowerCase() === 'r') raw = true;
      this.position += 1;
    }
    const quote = this.peek();
    const triple = this.peek(1) === quote && this.peek(2) === quote;
    const delimiter = triple ? quote.repeat(3) : quote;
    this.position += delimiter.length;
    let text = '';
    for (;;) {
      if (this.position >= this.#source.length) return this.fail('unterminated string', start);
      if (this.#source.startsWith(delimiter, this.position)) {
        this.position += delimiter.length;
        return text;
      }
      const char = this.peek();
      if (char === '\n' && !triple) return this.fail('unterminated string', start);
      if (char === '\\') {
        text += raw ? this.#rawEscape() : this.#escape();
      } else {
        text += char;
        this.position += 1;
      }
    }
  }

  /** In a raw string a backslash stays, and only keeps the next character from ending the string. */
  #rawEscape(): string {
    const next = this.peek(1);
    this.position += next === '' ? 1 : 2;
    return `\\${next}`;
  }

  #escape(): string {
    const next = this.peek(1);
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      this.position += 2;
      return simple;
    }
    const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const hex = this.#source.slice(this.position + 2, this.position + 2 + hexLength);
      if (!new RegExp(`^[0-9a-fA-F]{${hexLength}}$`, 'u').test(hex)) return this.fail(`bad \\${next} escape`);
      this.position += 2 + hexLength;
      return String.fromCodePoint(Number.parseInt(hex, 16));
    }
    const octal = /^[0-7]{1,3}/u.exec(this.#source.slice(this.position + 1, this.position + 4))?.[0];
    if (octal !== undefined) {
      this.position += 1 + octal.length;
      return String.fromCodePoint(Number.parseInt(octal, 8));
    }
    if (next === 'N') return this.fail('\\N{...} escapes are not read');
    // Python keeps an unknown escape as written.
    this.position += 2;
    return `\\${next}`;
  }

  #container(open: string): PythonLiteral {
    if (this.#depth >= MAX_DEPTH) this.fail(`literals nested deeper than ${MAX_DEPTH} levels are not read`);
    this.#depth += 1;
    try {
      return this.#containerBody(open);
    } finally {
      this.#depth -= 1;
    }
  }

  #containerBody(open: string): PythonLiteral {
    const start = this.position;
    const close = CLOSERS[open] ?? '';
    this.position += 1;
    const items: PythonLiteral[] = [];
    const entries: [PythonLiteral, PythonLiteral][] = [];
    let isDict: boolean | undefined = open === '{' ? undefined : false;
    let sawComma = false;
    for (;;) {
      this.skipBlanks(true);
      if (this.peek() === close) {
        this.position += 1;
        break;
      }
      if (this.position >= this.#source.length) return this.fail(`"${open}" is never closed`, start);
      if (items.length + entries.length > 0 && !sawComma) return this.fail(`expected "," or "${close}"`);
      const item = this.value();
      this.skipBlanks(true);
      if (open === '{' && isDict !== false && this.peek() === ':') {
        if (isDict === undefined) isDict = true;
        this.position += 1;
        entries.push([item, this.value()]);
        this.skipBlanks(true);
      } else if (isDict === true) {
        return this.fail('expected ":" in a dict');
      } else {
        isDict = false;
        items.push(item);
      }
      sawComma = this.peek() === ',';
      if (sawComma) this.position += 1;
    }
    if (open === '{') return isDict === false ? { kind: 'set', items } : { kind: 'dict', entries };
    if (open === '[') return { kind: 'list', items };
    // `(x)` is just x; a tuple needs a comma or no items at all.
    if (items.length === 1 && !sawComma) return items[0] ?? null;
    return { kind: 'tuple', items };
  }

  /** After a statement's value only a comment or the end of the line may follow. */
  endOfStatement(): void {
    this.skipBlanks(false);
    const char = this.peek();
    if (char !== '' && char !== '\n' && char !== ';') this.fail(`unexpected ${JSON.stringify(char)} after the literal (only plain literals are read)`);
  }
}

/** Parses one literal that fills `source` (blanks and comments around it allowed). */
export function parsePythonLiteral(source: string, file: string): PythonLiteral {
  const reader = new Reader(source, file, 0);
  const value = reader.value();
  reader.skipBlanks(true);
  if (reader.position < source.length) reader.fail('unexpected text after the literal');
  return value;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/gu, '\\$&');

/**
 * The literal assigned to `name` (e.g. `self.must_neural_tone_words` or `not_erhua`) in a Python source file. The
 * name must be assigned exactly once and its value must be a plain literal. A module-level name is looked for at
 * the start of a line only (so a function's local of the same name is not it); `self.` attributes at any indent.
 */
export function pythonAssignment(source: string, file: string, name: string): PythonLiteral {
  const indent = name.startsWith('self.') ? '[ \\t]*' : '';
  const pattern = new RegExp(`^${indent}${escapeRegExp(name)}[ \\t]*(?::[^=\\n]*)?=(?!=)`, 'gmu');
  const matches = Array.from(source.matchAll(pattern));
  const [match] = matches;
  if (match === undefined) throw new PythonLiteralError(`${file}: no assignment to ${name} found`);
  if (matches.length > 1) throw new PythonLiteralError(`${file}: ${name} is assigned ${matches.length} times; expected once`);
  const reader = new Reader(source, file, match.index + match[0].length);
  reader.skipBlanks(false);
  const value = reader.value();
  reader.endOfStatement();
  return value;
}

/** The strings of a list, tuple or set literal; anything else is an error naming the file and the name. */
export function stringCollection(value: PythonLiteral, file: string, name: string): string[] {
  if (typeof value !== 'object' || value === null || value.kind === 'dict') {
    throw new PythonLiteralError(`${file}: ${name} is not a list, tuple or set of strings`);
  }
  return value.items.map((item, index) => {
    if (typeof item !== 'string') throw new PythonLiteralError(`${file}: ${name}[${index}] is not a string`);
    return item;
  });
}
