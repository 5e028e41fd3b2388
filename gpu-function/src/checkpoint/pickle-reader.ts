/**
 * A minimal, safe unpickler: protocols 0-5, every opcode `torch.save` and GPT-SoVITS emit (and the rest of the data
 * opcodes), producing the typed values of pickle-values.ts.
 *
 * Written by hand rather than with `pickleparser` (the one npm unpickler) because that library cannot be made both
 * exact and safe here: it turns tuples and lists into the same JS array, decodes LONG1 as unsigned (negative Python
 * ints come out wrong), puts DICT items on object properties even in Map mode, types everything `any`, and by default
 * invents placeholder objects for unknown globals instead of refusing them. Here nothing is ever executed: a global
 * is usable only if the caller lists it, and then only the caller's own TypeScript handler runs.
 * @module
 */
import {
  PyDict,
  PyGlobal,
  PyObject,
  PySet,
  PyTuple,
  describePickleValue,
  type PickleValue,
} from './pickle-values.ts';
import { Cursor, HIGHEST_PROTOCOL, PickleError, decodeLong, decodeRawUnicodeEscape, latin1, parseTextInt, utf8 } from './pickle-cursor.ts';

export { PickleError } from './pickle-cursor.ts';

/** What an allowed global does: a function called by REDUCE, a class instantiated as PyObject, or a plain constant. */
export type GlobalHandler =
  | { readonly kind: 'function'; readonly call: (args: readonly PickleValue[]) => PickleValue }
  | { readonly kind: 'class' }
  | { readonly kind: 'constant' };

export interface UnpickleOptions {
  /** Allowed globals by qualified name (`module.name`); any other global is an error. */
  readonly globals: ReadonlyMap<string, GlobalHandler>;
  /** Resolves persistent ids (torch storages); without it a persistent id is an error. */
  readonly persistentLoad?: (pid: PickleValue) => PickleValue;
}


export function unpickle(bytes: Uint8Array, options: UnpickleOptions): PickleValue {
  return new Unpickler(bytes, options).run();
}

class Unpickler {
  readonly #cursor: Cursor;
  readonly #options: UnpickleOptions;
  #stack: PickleValue[] = [];
  readonly #marks: number[] = [];
  readonly #memo = new Map<number, PickleValue>();
  #opcodeAt = 0;

  constructor(bytes: Uint8Array, options: UnpickleOptions) {
    this.#cursor = new Cursor(bytes);
    this.#options = options;
  }

  #fail(message: string): never {
    throw new PickleError(this.#opcodeAt, message);
  }

  /** Like Python's unpickler, values below the innermost MARK are out of reach until that MARK is consumed. */
  #pop(): PickleValue {
    if (this.#stack.length <= (this.#marks.at(-1) ?? 0)) this.#fail('stack underflow');
    return this.#stack.pop() ?? null;
  }

  #top(): PickleValue {
    if (this.#stack.length <= (this.#marks.at(-1) ?? 0)) this.#fail('stack underflow');
    return this.#stack.at(-1) ?? null;
  }

  #popMark(): PickleValue[] {
    const mark = this.#marks.pop();
    if (mark === undefined) this.#fail('no MARK on the stack');
    return this.#stack.splice(mark);
  }

  #memoGet(index: number): PickleValue {
    const value = this.#memo.get(index);
    if (value === undefined) this.#fail(`memo entry ${index} was never stored`);
    return value;
  }

  #global(module: string, name: string): PyGlobal {
    const qualified = `${module}.${name}`;
    if (!this.#options.globals.has(qualified)) {
      this.#fail(`refusing unknown global '${qualified}' (only known torch/GPT-SoVITS types are allowed; nothing is executed)`);
    }
    return new PyGlobal(module, name);
  }

  #handler(callable: PickleValue): GlobalHandler & { target: PyGlobal } {
    if (!(callable instanceof PyGlobal)) this.#fail(`cannot call a ${describePickleValue(callable)}`);
    const handler = this.#options.globals.get(callable.qualifiedName);
    if (handler === undefined) this.#fail(`refusing unknown global '${callable.qualifiedName}'`);
    return { ...handler, target: callable };
  }

  #call(callable: PickleValue, args: readonly PickleValue[]): PickleValue {
    const handler = this.#handler(callable);
    if (handler.kind === 'function') {
      try {
        return handler.call(args);
      } catch (error) {
        if (error instanceof PickleError) throw error;
        this.#fail(`${handler.target.qualifiedName}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    if (handler.kind === 'class') return new PyObject(handler.target, args);
    return this.#fail(`'${handler.target.qualifiedName}' is not callable`);
  }

  #argsOf(value: PickleValue): readonly PickleValue[] {
    if (!(value instanceof PyTuple)) this.#fail(`expected an argument tuple, got ${describePickleValue(value)}`);
    return value.items;
  }

  #build(): void {
    const state = this.#pop();
    const target = this.#top();
    if (target instanceof PyObject) target.state = state;
    else if (target instanceof PyDict) target.attributes = state;
    else this.#fail(`cannot BUILD a ${describePickleValue(target)}`);
  }

  #setItems(dict: PickleValue, items: readonly PickleValue[]): void {
    if (!(dict instanceof PyDict)) this.#fail(`cannot set items on a ${describePickleValue(dict)}`);
    if (items.length % 2 !== 0) this.#fail('odd number of items for a dict');
    for (let i = 0; i < items.length; i += 2) dict.set(items[i] ?? null, items[i + 1] ?? null);
  }

  #append(list: PickleValue, items: readonly PickleValue[]): void {
    if (!Array.isArray(list)) this.#fail(`cannot append to a ${describePickleValue(list)}`);
    appendAll(list, items);
  }

  #persistent(pid: PickleValue): PickleValue {
    const load = this.#options.persistentLoad;
    if (load === undefined) this.#fail('persistent id found but no storage resolver was given');
    try {
      return load(pid);
    } catch (error) {
      this.#fail(error instanceof Error ? error.message : String(error));
    }
  }

  run(): PickleValue {
    const c = this.#cursor;
    const push = (value: PickleValue): void => { this.#stack.push(value); };
    for (;;) {
      this.#opcodeAt = c.position;
      const op = c.u8();
      switch (op) {
        case 0x80: { const protocol = c.u8(); if (protocol > HIGHEST_PROTOCOL) this.#fail(`unsupported pickle protocol ${protocol}`); break; }
        case 0x95: c.u64(); break; // FRAME: only a read-ahead hint
        case 0x2e: { const result = this.#pop(); return result; } // STOP
        case 0x28: this.#marks.push(this.#stack.length); break; // MARK
        case 0x30: this.#pop(); break; // POP
        case 0x31: this.#popMark(); break; // POP_MARK
        case 0x32: push(this.#top()); break; // DUP
        case 0x4e: push(null); break;
        case 0x88: push(true); break;
        case 0x89: push(false); break;
        case 0x49: { const text = c.line(); push(text === '01' ? true : text === '00' ? false : parseTextInt(text, this.#opcodeAt)); break; }
        case 0x4a: push(c.i32()); break; // BININT
        case 0x4b: push(c.u8()); break; // BININT1
        case 0x4d: push(c.u16()); break; // BININT2
        case 0x4c: push(parseTextInt(c.line(), this.#opcodeAt)); break; // LONG
        case 0x8a: push(decodeLong(c.take(c.u8()), this.#opcodeAt)); break; // LONG1
        case 0x8b: { const size = c.i32(); if (size < 0) this.#fail('negative LONG4 size'); push(decodeLong(c.take(size), this.#opcodeAt)); break; }
        case 0x46: push(Number.parseFloat(c.line())); break; // FLOAT
        case 0x47: push(c.f64be()); break; // BINFLOAT
        case 0x53: { const text = c.line(); if (!/^(['"]).*\1$/s.test(text) || text.includes('\\')) this.#fail('unsupported STRING literal'); push(text.slice(1, -1)); break; }
        case 0x54: { const size = c.i32(); if (size < 0) this.#fail('negative BINSTRING size'); push(latin1.decode(c.take(size))); break; }
        case 0x55: push(latin1.decode(c.take(c.u8()))); break; // SHORT_BINSTRING
        case 0x56: push(decodeRawUnicodeEscape(c.line())); break; // UNICODE
        case 0x58: push(this.#utf8(c.take(c.u32()))); break; // BINUNICODE
        case 0x8c: push(this.#utf8(c.take(c.u8()))); break; // SHORT_BINUNICODE
        case 0x8d: push(this.#utf8(c.take(c.u64()))); break; // BINUNICODE8
        case 0x42: push(c.take(c.u32())); break; // BINBYTES
        case 0x43: push(c.take(c.u8())); break; // SHORT_BINBYTES
        case 0x8e: push(c.take(c.u64())); break; // BINBYTES8
        case 0x96: push(c.take(c.u64())); break; // BYTEARRAY8
        case 0x97: return this.#fail('out-of-band buffers are not supported');
        case 0x98: break; // READONLY_BUFFER: no-op on our values
        case 0x5d: push([]); break; // EMPTY_LIST
        case 0x6c: push(this.#popMark()); break; // LIST
        case 0x61: { const item = this.#pop(); this.#append(this.#top(), [item]); break; } // APPEND
        case 0x65: { const items = this.#popMark(); this.#append(this.#top(), items); break; } // APPENDS
        case 0x29: push(new PyTuple([])); break; // EMPTY_TUPLE
        case 0x74: push(new PyTuple(this.#popMark())); break; // TUPLE
        case 0x85: { const a = this.#pop(); push(new PyTuple([a])); break; }
        case 0x86: { const b = this.#pop(); const a = this.#pop(); push(new PyTuple([a, b])); break; }
        case 0x87: { const cc = this.#pop(); const b = this.#pop(); const a = this.#pop(); push(new PyTuple([a, b, cc])); break; }
        case 0x7d: push(new PyDict()); break; // EMPTY_DICT
        case 0x64: { const dict = new PyDict(); this.#setItems(dict, this.#popMark()); push(dict); break; } // DICT
        case 0x73: { const value = this.#pop(); const key = this.#pop(); this.#setItems(this.#top(), [key, value]); break; }
        case 0x75: { const items = this.#popMark(); this.#setItems(this.#top(), items); break; } // SETITEMS
        case 0x8f: push(new PySet([], false)); break; // EMPTY_SET
        case 0x90: { const items = this.#popMark(); const set = this.#top(); if (!(set instanceof PySet)) this.#fail('ADDITEMS needs a set'); appendAll(set.items, items); break; }
        case 0x91: push(new PySet(this.#popMark(), true)); break; // FROZENSET
        case 0x67: push(this.#memoGet(Number.parseInt(c.line(), 10))); break; // GET
        case 0x68: push(this.#memoGet(c.u8())); break; // BINGET
        case 0x6a: push(this.#memoGet(c.u32())); break; // LONG_BINGET
        case 0x70: this.#memo.set(Number.parseInt(c.line(), 10), this.#top()); break; // PUT
        case 0x71: this.#memo.set(c.u8(), this.#top()); break; // BINPUT
        case 0x72: this.#memo.set(c.u32(), this.#top()); break; // LONG_BINPUT
        case 0x94: this.#memo.set(this.#memo.size, this.#top()); break; // MEMOIZE
        case 0x63: { const module = c.line(); const name = c.line(); push(this.#global(module, name)); break; } // GLOBAL
        case 0x93: { const name = this.#pop(); const module = this.#pop(); if (typeof module !== 'string' || typeof name !== 'string') this.#fail('STACK_GLOBAL needs two strings'); push(this.#global(module, name)); break; }
        case 0x82: case 0x83: case 0x84: return this.#fail('extension registry codes (EXT1/2/4) are not supported');
        case 0x52: { const args = this.#argsOf(this.#pop()); const callable = this.#pop(); push(this.#call(callable, args)); break; } // REDUCE
        case 0x81: { const args = this.#argsOf(this.#pop()); const cls = this.#pop(); push(this.#call(cls, args)); break; } // NEWOBJ
        case 0x92: { this.#pop(); const args = this.#argsOf(this.#pop()); const cls = this.#pop(); push(this.#call(cls, args)); break; } // NEWOBJ_EX
        case 0x69: { const module = c.line(); const name = c.line(); const args = this.#popMark(); push(this.#call(this.#global(module, name), args)); break; } // INST
        case 0x6f: { const items = this.#popMark(); const cls = items.shift(); if (cls === undefined) this.#fail('OBJ without a class'); push(this.#call(cls, items)); break; }
        case 0x62: this.#build(); break; // BUILD
        case 0x50: push(this.#persistent(c.line())); break; // PERSID
        case 0x51: push(this.#persistent(this.#pop())); break; // BINPERSID
        default: this.#fail(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`);
      }
    }
  }

  #utf8(bytes: Uint8Array): string {
    try {
      return utf8.decode(bytes);
    } catch {
      this.#fail('string is not valid UTF-8');
    }
  }
}

/** `target.push(...items)` without spreading: a pickle may append a million items at once, past any call's arguments. */
function appendAll(target: PickleValue[], items: readonly PickleValue[]): void {
  for (const item of items) target.push(item);
}
