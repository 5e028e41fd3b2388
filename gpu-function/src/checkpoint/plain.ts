/**
 * Converts unpickled configs (dicts, GPT-SoVITS `HParams` objects, tuples) into plain JSON-like values, and reads
 * typed fields out of them with errors that name the file and the field.
 * @module
 */
import { CheckpointError } from './errors.ts';
import { PyDict, PyObject, PySet, PyTuple, describePickleValue, formatPickleValue, isPickleExtension, type PickleValue } from './pickle-values.ts';

export type PlainValue = null | boolean | number | string | PlainValue[] | PlainObject;
export interface PlainObject {
  [key: string]: PlainValue;
}

/**
 * Bounds on a config's plain form. Real configs are a few levels deep and hold hundreds of values; a pickle can make
 * one nested a million deep, containing itself, or expanding to 10^30 values through shared references (a billion
 * laughs), each of which would overflow the stack, never end, or take all memory.
 */
export const MAX_CONFIG_DEPTH = 64;
export const MAX_CONFIG_VALUES = 1_000_000;

/** Plain form of a config value. HParams become objects of their attributes; tensors are not allowed. */
export function toPlain(value: PickleValue, path = 'config'): PlainValue {
  return new PlainConverter().convert(value, path, 0);
}

class PlainConverter {
  #values = 0;
  /** The containers on the path from the root to the value being converted. */
  readonly #open = new Set<object>();

  convert(value: PickleValue, path: string, depth: number): PlainValue {
    this.#values += 1;
    if (this.#values > MAX_CONFIG_VALUES) throw new Error(`${path}: the config holds more than ${String(MAX_CONFIG_VALUES)} values (a pickle bomb?)`);
    if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
    if (typeof value === 'bigint') return Number(value);
    if (value instanceof Uint8Array) {
      this.#values += value.length;
      if (this.#values > MAX_CONFIG_VALUES) throw new Error(`${path}: the config holds more than ${String(MAX_CONFIG_VALUES)} values (a pickle bomb?)`);
      return [...value];
    }
    if (depth >= MAX_CONFIG_DEPTH) throw new Error(`${path}: the config is nested more than ${String(MAX_CONFIG_DEPTH)} levels deep`);
    if (typeof value === 'object' && this.#open.has(value)) throw new Error(`${path}: the config contains itself`);
    this.#open.add(value);
    try {
      return this.#container(value, path, depth + 1);
    } finally {
      this.#open.delete(value);
    }
  }

  #container(value: Exclude<PickleValue, null | boolean | number | string | bigint | Uint8Array>, path: string, depth: number): PlainValue {
    if (Array.isArray(value)) return value.map((item, i) => this.convert(item, `${path}[${i}]`, depth));
    if (value instanceof PyTuple) return value.items.map((item, i) => this.convert(item, `${path}[${i}]`, depth));
    if (value instanceof PySet) return value.items.map((item, i) => this.convert(item, `${path}[${i}]`, depth));
    if (value instanceof PyDict) {
      const out: PlainObject = {};
      for (const [key, item] of value) {
        const name = typeof key === 'string' ? key : formatPickleValue(key);
        // Defined, not assigned: a key `__proto__` is a key like any other, not the object's prototype.
        Object.defineProperty(out, name, { value: this.convert(item, `${path}.${name}`, depth), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
    if (value instanceof PyObject) {
      if (value.state === undefined) return {};
      if (!(value.state instanceof PyDict)) throw new Error(`${path}: ${value.cls.qualifiedName} has a ${describePickleValue(value.state)} state`);
      return this.convert(value.state, path, depth);
    }
    if (isPickleExtension(value)) throw new Error(`${path}: a ${value.pickleExtension} cannot appear in a config`);
    throw new Error(`${path}: cannot convert a ${describePickleValue(value)}`);
  }
}

export function isPlainObject(value: PlainValue | undefined): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Typed access to a config, failing with `file: config field 'a.b' ...` messages. */
export class ConfigReader {
  readonly file: string;
  readonly root: PlainObject;
  readonly #name: string;

  constructor(file: string, root: PlainObject, name = 'config') {
    this.file = file;
    this.root = root;
    this.#name = name;
  }

  get(path: string): PlainValue | undefined {
    let node: PlainValue | undefined = this.root;
    for (const part of path.split('.')) {
      if (!isPlainObject(node)) return undefined;
      node = node[part];
    }
    return node;
  }

  #fail(path: string, message: string): never {
    throw new CheckpointError(this.file, `${this.#name} field '${path}' ${message}`);
  }

  int(path: string, fallback?: number): number {
    const value = this.get(path);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value)) this.#fail(path, value === undefined ? 'is missing' : `is ${JSON.stringify(value)}, expected an integer`);
    return value;
  }

  number(path: string, fallback?: number): number {
    const value = this.get(path);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'number') this.#fail(path, value === undefined ? 'is missing' : `is ${JSON.stringify(value)}, expected a number`);
    return value;
  }

  string(path: string, fallback?: string): string {
    const value = this.get(path);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'string') this.#fail(path, value === undefined ? 'is missing' : `is ${JSON.stringify(value)}, expected a string`);
    return value;
  }

  boolean(path: string, fallback?: boolean): boolean {
    const value = this.get(path);
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value !== 'boolean') this.#fail(path, value === undefined ? 'is missing' : `is ${JSON.stringify(value)}, expected true or false`);
    return value;
  }

  intList(path: string, fallback?: readonly number[]): number[] {
    const value = this.get(path);
    if (value === undefined && fallback !== undefined) return [...fallback];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'number' && Number.isInteger(item))) {
      this.#fail(path, value === undefined ? 'is missing' : `is ${JSON.stringify(value)}, expected a list of integers`);
    }
    return value as number[];
  }

  intLists(path: string, fallback?: readonly (readonly number[])[]): number[][] {
    const value = this.get(path);
    if (value === undefined && fallback !== undefined) return fallback.map((row) => [...row]);
    if (!Array.isArray(value) || !value.every((row) => Array.isArray(row) && row.every((item) => typeof item === 'number' && Number.isInteger(item)))) {
      this.#fail(path, value === undefined ? 'is missing' : `is ${JSON.stringify(value)}, expected a list of integer lists`);
    }
    return value as number[][];
  }

  /** Fails unless an optional field, when present, equals what the weights say. */
  expectMatches(path: string, actual: number | string, tensor: string): void {
    const value = this.get(path);
    if (value !== undefined && value !== actual) {
      throw new CheckpointError(this.file, `${this.#name} field '${path}' is ${JSON.stringify(value)} but tensor '${tensor}' implies ${JSON.stringify(actual)}`);
    }
  }
}
