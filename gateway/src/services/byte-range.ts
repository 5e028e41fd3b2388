/**
 * Single byte ranges (`Range: bytes=a-b`, `bytes=a-`, `bytes=-n`) for cached audio. Anything else — several ranges,
 * other units, a range past the end — is answered with the whole file (200), which RFC 9110 §14.2 allows a server
 * to do with any Range header, so a player never gets an error for asking.
 * @module
 */

export interface ByteRange {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/** Whether the header is one range the Cache API can answer as asked; other headers are dropped. */
export function isSingleRange(header: string | null): header is string {
  if (header === null) return false;
  const match = SINGLE_RANGE.exec(header.trim());
  return match !== null && (match[1] !== '' || match[2] !== '');
}

/** The satisfiable range the header asks of a `size`-byte body, or `null` to send the whole body. */
export function parseRange(header: string | null, size: number): ByteRange | null {
  if (header === null || size === 0) return null;
  const match = SINGLE_RANGE.exec(header.trim());
  if (match === null) return null;
  const [, first = '', last = ''] = match;
  if (first === '') {
    if (last === '') return null;
    const suffix = Math.min(Number(last), size);
    return suffix === 0 ? null : { start: size - suffix, end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return start > end || start >= size ? null : { start, end };
}
