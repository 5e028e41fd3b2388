/**
 * Byte-level reading for the unpickler: a bounds-checked cursor over the stream, Python int decoding and the text
 * forms of protocol 0.
 * @module
 */

export class PickleError extends Error {
  readonly offset: number;

  constructor(offset: number, message: string) {
    super(`pickle byte ${offset}: ${message}`);
    this.name = 'PickleError';
    this.offset = offset;
  }
}

export const utf8 = new TextDecoder('utf-8', { fatal: true });
export const latin1 = new TextDecoder('latin1');
export const HIGHEST_PROTOCOL = 5;

export class Cursor {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  position = 0;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  #need(count: number): number {
    const start = this.position;
    if (start + count > this.bytes.length) throw new PickleError(start, `needs ${count} more bytes; the stream is truncated`);
    this.position += count;
    return start;
  }

  u8(): number { return this.view.getUint8(this.#need(1)); }
  u16(): number { return this.view.getUint16(this.#need(2), true); }
  u32(): number { return this.view.getUint32(this.#need(4), true); }
  i32(): number { return this.view.getInt32(this.#need(4), true); }
  f64be(): number { return this.view.getFloat64(this.#need(8), false); }

  u64(): number {
    const value = this.view.getBigUint64(this.#need(8), true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new PickleError(this.position - 8, 'length does not fit in memory');
    return Number(value);
  }

  take(count: number): Uint8Array {
    const start = this.#need(count);
    return this.bytes.slice(start, start + count);
  }

  line(): string {
    const end = this.bytes.indexOf(0x0a, this.position);
    if (end < 0) throw new PickleError(this.position, 'unterminated text line; the stream is truncated');
    const text = latin1.decode(this.bytes.subarray(this.position, end));
    this.position = end + 1;
    return text;
  }
}

/**
 * The widest integer a checkpoint is read with. Torch and GPT-SoVITS write nothing wider than 8 bytes; decoding is
 * quadratic in the width, so an 8 MB integer (a pickle bomb) would run for minutes.
 */
export const MAX_LONG_BYTES = 1024;
/** Python's own bound on decimal integer text (`sys.int_info.default_max_str_digits`), for the same reason. */
export const MAX_INT_DIGITS = 4300;

/** Python ints in two's complement little-endian (LONG1/LONG4); numbers when exact, bigint otherwise. */
export function decodeLong(bytes: Uint8Array, offset = 0): number | bigint {
  if (bytes.length > MAX_LONG_BYTES) throw new PickleError(offset, `an integer of ${bytes.length} bytes is wider than any checkpoint holds (at most ${MAX_LONG_BYTES})`);
  if (bytes.length === 0) return 0;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i -= 1) value = (value << 8n) | BigInt(bytes[i] ?? 0);
  if (((bytes[bytes.length - 1] ?? 0) & 0x80) !== 0) value -= 1n << BigInt(bytes.length * 8);
  return exactInt(value);
}

function exactInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

export function parseTextInt(text: string, offset: number): number | bigint {
  const digits = text.endsWith('L') ? text.slice(0, -1) : text;
  if (digits.length > MAX_INT_DIGITS + 1) throw new PickleError(offset, `an integer literal of ${digits.length} characters is longer than Python reads (at most ${MAX_INT_DIGITS} digits)`);
  if (!/^[-+]?\d+$/.test(digits)) throw new PickleError(offset, `bad integer literal '${text}'`);
  return exactInt(BigInt(digits));
}

export function decodeRawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_match, short?: string, long?: string) =>
    String.fromCodePoint(Number.parseInt(short ?? long ?? '0', 16)),
  );
}
