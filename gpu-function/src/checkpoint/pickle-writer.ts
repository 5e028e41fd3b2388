/**
 * A minimal pickle writer (protocol 2, what `torch.save` and GPT-SoVITS write) for synthetic checkpoints: scalars,
 * str, bytes, list, tuple, dict, `collections.OrderedDict` via REDUCE, class instances via NEWOBJ + BUILD (e.g.
 * `utils.HParams`), and custom values (torch tensors) that write their own opcodes. Globals are memoized as torch's
 * pickler does; nothing else is, which is still a valid stream.
 * @module
 */

/** A float that stays a Python float even when integral (`32768.0`). */
export class PickleFloat {
  readonly value: number;

  constructor(value: number) {
    this.value = value;
  }
}

export class PickleTuple {
  readonly items: readonly PickleWriteValue[];

  constructor(items: readonly PickleWriteValue[]) {
    this.items = items;
  }
}

/** `collections.OrderedDict(entries)`. */
export class PickleOrderedDict {
  readonly entries: readonly (readonly [PickleWriteValue, PickleWriteValue])[];

  constructor(entries: Iterable<readonly [PickleWriteValue, PickleWriteValue]>) {
    this.entries = [...entries];
  }
}

/** An instance of `module.name` built with NEWOBJ (no args) and BUILD(state), as `utils.HParams` is pickled. */
export class PickleInstance {
  readonly module: string;
  readonly name: string;
  readonly state: PickleWriteValue;

  constructor(module: string, name: string, state: PickleWriteValue) {
    this.module = module;
    this.name = name;
    this.state = state;
  }
}

/** A value that writes its own opcodes (e.g. a torch tensor). */
export interface PickleReducible {
  writePickle(writer: PickleWriter): void;
}

export interface PickleDictObject {
  readonly [key: string]: PickleWriteValue;
}

export type PickleWriteValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleFloat
  | PickleTuple
  | PickleOrderedDict
  | PickleInstance
  | PickleReducible
  | readonly PickleWriteValue[]
  | ReadonlyMap<PickleWriteValue, PickleWriteValue>
  | PickleDictObject;

const BATCH = 1000;
const encoder = new TextEncoder();

export function isPickleReducible(value: unknown): value is PickleReducible {
  return typeof value === 'object' && value !== null && typeof (value as Partial<PickleReducible>).writePickle === 'function';
}

export class PickleWriter {
  #buffer = new Uint8Array(1 << 16);
  #view = new DataView(this.#buffer.buffer);
  #length = 0;
  readonly #globals = new Map<string, number>();
  #memoSize = 0;

  constructor() {
    this.op(0x80, 2); // PROTO 2
  }

  /** Grows the buffer if needed and returns where `count` new bytes go; read #buffer/#view only after calling it. */
  #reserve(count: number): number {
    if (this.#length + count > this.#buffer.length) {
      const grown = new Uint8Array(Math.max(this.#buffer.length * 2, this.#length + count));
      grown.set(this.#buffer.subarray(0, this.#length));
      this.#buffer = grown;
      this.#view = new DataView(grown.buffer);
    }
    const at = this.#length;
    this.#length += count;
    return at;
  }

  op(...bytes: number[]): void {
    const at = this.#reserve(bytes.length);
    this.#buffer.set(bytes, at);
  }

  raw(bytes: Uint8Array): void {
    const at = this.#reserve(bytes.length);
    this.#buffer.set(bytes, at);
  }

  u32(value: number): void {
    const at = this.#reserve(4);
    this.#view.setUint32(at, value, true);
  }

  int(value: number | bigint): void {
    const big = BigInt(value);
    if (big >= 0n && big < 256n) this.op(0x4b, Number(big)); // BININT1
    else if (big >= 0n && big < 65536n) {
      this.op(0x4d); // BININT2
      const at = this.#reserve(2);
      this.#view.setUint16(at, Number(big), true);
    } else if (big >= -(2n ** 31n) && big < 2n ** 31n) {
      this.op(0x4a); // BININT
      const at = this.#reserve(4);
      this.#view.setInt32(at, Number(big), true);
    } else {
      const bytes: number[] = [];
      let rest = big;
      // Two's complement, little-endian, shortest form (as Python's encode_long).
      for (;;) {
        bytes.push(Number(rest & 0xffn));
        rest >>= 8n;
        const last = bytes[bytes.length - 1] ?? 0;
        if ((rest === 0n && (last & 0x80) === 0) || (rest === -1n && (last & 0x80) !== 0)) break;
      }
      this.op(0x8a, bytes.length, ...bytes); // LONG1
    }
  }

  float(value: number): void {
    this.op(0x47); // BINFLOAT (big-endian)
    const at = this.#reserve(8);
    this.#view.setFloat64(at, value, false);
  }

  string(value: string): void {
    const bytes = encoder.encode(value);
    this.op(0x58); // BINUNICODE
    this.u32(bytes.length);
    this.raw(bytes);
  }

  /** GLOBAL `module name`, memoized so repeats cost a BINGET. */
  global(module: string, name: string): void {
    const key = `${module}\n${name}\n`;
    const memo = this.#globals.get(key);
    if (memo !== undefined) {
      if (memo < 256) this.op(0x68, memo); // BINGET
      else { this.op(0x6a); this.u32(memo); } // LONG_BINGET
      return;
    }
    this.op(0x63); // GLOBAL
    this.raw(encoder.encode(key));
    const index = this.#memoSize++;
    this.#globals.set(key, index);
    if (index < 256) this.op(0x71, index); // BINPUT
    else { this.op(0x72); this.u32(index); } // LONG_BINPUT
  }

  tuple(items: readonly PickleWriteValue[]): void {
    if (items.length === 0) { this.op(0x29); return; }
    if (items.length > 3) this.op(0x28); // MARK
    for (const item of items) this.value(item);
    this.op(items.length === 1 ? 0x85 : items.length === 2 ? 0x86 : items.length === 3 ? 0x87 : 0x74);
  }

  #setItems(entries: Iterable<readonly [PickleWriteValue, PickleWriteValue]>): void {
    let batch: (readonly [PickleWriteValue, PickleWriteValue])[] = [];
    const flush = (): void => {
      if (batch.length === 0) return;
      this.op(0x28); // MARK
      for (const [key, item] of batch) { this.value(key); this.value(item); }
      this.op(0x75); // SETITEMS
      batch = [];
    };
    for (const entry of entries) {
      batch.push(entry);
      if (batch.length === BATCH) flush();
    }
    flush();
  }

  value(value: PickleWriteValue): void {
    if (value === null) this.op(0x4e);
    else if (typeof value === 'boolean') this.op(value ? 0x88 : 0x89);
    else if (typeof value === 'bigint') this.int(value);
    else if (typeof value === 'number') {
      if (Number.isInteger(value)) this.int(value);
      else this.float(value);
    } else if (typeof value === 'string') this.string(value);
    else if (value instanceof PickleFloat) this.float(value.value);
    else if (value instanceof Uint8Array) {
      // Protocol 2 has no bytes opcode for Python 3; Python writes _codecs.encode(latin1 text, 'latin1').
      this.global('_codecs', 'encode');
      this.tuple([Array.from(value, (byte) => String.fromCharCode(byte)).join(''), 'latin1']);
      this.op(0x52);
    } else if (value instanceof PickleTuple) this.tuple(value.items);
    else if (value instanceof PickleOrderedDict) {
      this.global('collections', 'OrderedDict');
      this.op(0x29, 0x52); // EMPTY_TUPLE, REDUCE
      this.#setItems(value.entries);
    } else if (value instanceof PickleInstance) {
      this.global(value.module, value.name);
      this.op(0x29, 0x81); // EMPTY_TUPLE, NEWOBJ
      this.value(value.state);
      this.op(0x62); // BUILD
    } else if (isPickleReducible(value)) value.writePickle(this);
    else if (Array.isArray(value)) {
      this.op(0x5d); // EMPTY_LIST
      const items = value as readonly PickleWriteValue[];
      for (let i = 0; i < items.length; i += BATCH) {
        this.op(0x28);
        for (const item of items.slice(i, i + BATCH)) this.value(item);
        this.op(0x65); // APPENDS
      }
    } else if (value instanceof Map) {
      this.op(0x7d); // EMPTY_DICT
      this.#setItems(value as ReadonlyMap<PickleWriteValue, PickleWriteValue>);
    } else {
      this.op(0x7d);
      this.#setItems(Object.entries(value as PickleDictObject));
    }
  }

  /** Ends the stream (STOP) and returns its bytes. */
  finish(): Uint8Array {
    this.op(0x2e);
    return this.#buffer.slice(0, this.#length);
  }
}

/** Pickles one value with protocol 2. */
export function pickle(value: PickleWriteValue): Uint8Array {
  const writer = new PickleWriter();
  writer.value(value);
  return writer.finish();
}
