/**
 * MeCab 0.996's text helpers as its dictionary compiler uses them (utils.h), kept to their exact behaviour because
 * users' CSVs and `.def` files are read through them: `tokenizeCSV` (quotes only where a field starts with one; the
 * last allowed field keeps the rest of the line), `tokenize2` (runs of delimiters collapse) and `atoi`.
 * @module
 */

/** `INT_MAX`: what MeCab's `toInt` gives an empty field, its mark for "not given". */
export const NOT_GIVEN = 0x7fffffff;

/**
 * `tokenizeCSV(str, out, max)`: at most `max` fields. A field opening with `"` is unquoted in place (`""` → `"`);
 * every field but the `max`-th ends at its comma, while the `max`-th runs to the end of the line, commas and all, as
 * it stands after the earlier fields' in-place unquoting. A trailing comma opens no empty field.
 */
export function tokenizeCsv(line: string, max = Number.POSITIVE_INFINITY): string[] {
  // A mutable copy, one element per code point (the syntax characters are all ASCII, so this walks the fields as
  // MeCab walks bytes): MeCab writes NULs and unquoted bytes into the line itself.
  const chars: (string | null)[] = Array.from(line);
  const eos = chars.length;
  const read = (start: number): string => {
    let out = '';
    for (let i = start; i < eos && chars[i] !== null; i++) out += chars[i] ?? '';
    return out;
  };
  const findComma = (from: number): number => {
    for (let i = from; i < eos; i++) if (chars[i] === ',') return i;
    return eos;
  };
  const starts: number[] = [];
  let remaining = max;
  for (let str = 0; str < eos; ++str) {
    while (chars[str] === ' ' || chars[str] === '\t') ++str;
    let start: number;
    let end: number;
    if (chars[str] === '"') {
      start = ++str;
      end = start;
      for (; str < eos; ++str) {
        if (chars[str] === '"') {
          str++;
          if (chars[str] !== '"') break;
        }
        chars[end++] = chars[str] ?? null;
      }
      str = findComma(str);
    } else {
      start = str;
      str = findComma(str);
      end = str;
    }
    if (remaining-- > 1 && end < eos) chars[end] = null;
    starts.push(start);
    if (remaining === 0) break;
  }
  // Every field is read after all the writes, as MeCab's pointers are.
  return starts.map(read);
}

/** `tokenize2(str, " \t", out, max)`: fields split at spaces and tabs, empty ones skipped, the last cut at its delimiter. */
export function tokenizeWhitespace(line: string, max: number): string[] {
  const out: string[] = [];
  let rest = line;
  while (out.length < max) {
    const at = rest.search(/[ \t]/u);
    const field = at < 0 ? rest : rest.slice(0, at);
    if (field !== '') out.push(field);
    if (at < 0) break;
    rest = rest.slice(at + 1);
  }
  return out;
}

/** C's `atoi`: leading white space, a sign, then digits up to the first non-digit; 0 when there are none. */
export function atoi(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/u.exec(text);
  if (match === null) return 0;
  const value = Number.parseInt(match[1] ?? '0', 10);
  // int overflow is undefined in C; glibc's strtol saturates, and atoi truncates that long to int.
  return Math.max(-0x80000000, Math.min(0x7fffffff, value));
}

/** MeCab's `toInt`: an empty field is "not given" (INT_MAX); anything else is `atoi`, so `*` reads as 0. */
export function toInt(field: string | undefined): number {
  return field === undefined || field === '' ? NOT_GIVEN : atoi(field);
}

/** `escape_csv_element`: quotes a field holding a comma or a quote, doubling its quotes. */
export function escapeCsvElement(field: string): string {
  return field.includes(',') || field.includes('"') ? `"${field.replaceAll('"', '""')}"` : field;
}

/** `std::getline` over a file: lines split at `\n`, no empty line after a final newline; OpenJTalk's copy drops one `\r`. */
export function getLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}
