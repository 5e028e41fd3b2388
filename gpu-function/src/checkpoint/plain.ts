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

/** Plain form of a config value. HParams become objects of their attributes; tensors are not allowed. */
export function toPlain(value: PickleValue, path = 'config'): PlainValue {
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Uint8Array) return [...value];
  if (Array.isArray(value)) return value.map((item, i) => toPlain(item, `${path}[${i}]`));
  if (value instanceof PyTuple) return value.items.map((item, i) => toPlain(item, `${path}[${i}]`));
  if (value instanceof PySet) return value.items.map((item, i) => toPlain(item, `${path}[${i}]`));
  if (value instanceof PyDict) {
    const out: PlainObject = {};
    for (const [key, item] of value) {
      const name = typeof key === 'string' ? key : formatPickleValue(key);
      out[name] = toPlain(item, `${path}.${name}`);
    }
    return out;
  }
  if (value instanceof PyObject) {
    if (value.state === undefined) return {};
    if (!(value.state instanceof PyDict)) throw new Error(`${path}: ${value.cls.qualifiedName} has a ${describePickleValue(value.state)} state`);
    return toPlain(value.state, path);
  }
  if (isPickleExtension(value)) throw new Error(`${path}: a ${value.pickleExtension} cannot appear in a config`);
  throw new Error(`${path}: cannot convert a ${describePickleValue(value)}`);
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
