/**
 * The values an unpickled stream is made of. Python's tuple, dict, set and object stay distinguishable (a plain JS
 * array is a Python list), so readers can check structure exactly; integers beyond 2^53 stay exact as bigint.
 * @module
 */

export class PyTuple {
  readonly items: readonly PickleValue[];

  constructor(items: readonly PickleValue[]) {
    this.items = items;
  }
}

/** `dict` or `collections.OrderedDict` (insertion order is kept either way). */
export class PyDict extends Map<PickleValue, PickleValue> {
  readonly className: string;
  /** Instance state set by BUILD, e.g. the `_metadata` torch attaches to a `state_dict()`. */
  attributes: PickleValue | undefined;

  constructor(className = 'builtins.dict', entries?: Iterable<readonly [PickleValue, PickleValue]>) {
    super(entries);
    this.className = className;
  }
}

export class PySet {
  readonly items: PickleValue[];
  readonly frozen: boolean;

  constructor(items: PickleValue[], frozen: boolean) {
    this.items = items;
    this.frozen = frozen;
  }
}

/** A reference to an allowed Python global (a class or function), by qualified name. */
export class PyGlobal {
  readonly module: string;
  readonly name: string;

  constructor(module: string, name: string) {
    this.module = module;
    this.name = name;
  }

  get qualifiedName(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of an allowed class, built by NEWOBJ/REDUCE and filled by BUILD. Nothing of Python's runs. */
export class PyObject {
  readonly cls: PyGlobal;
  readonly args: readonly PickleValue[];
  state: PickleValue | undefined;

  constructor(cls: PyGlobal, args: readonly PickleValue[]) {
    this.cls = cls;
    this.args = args;
    this.state = undefined;
  }
}

/** Values made by the caller's handlers (torch storages, tensors); `kind` tells them apart. */
export interface PickleExtension {
  readonly pickleExtension: string;
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PyTuple
  | PyDict
  | PySet
  | PyGlobal
  | PyObject
  | PickleExtension;

export function isPickleExtension(value: PickleValue): value is PickleExtension {
  return typeof value === 'object' && value !== null && 'pickleExtension' in value;
}

/** A short description of a value's Python type, for error messages. */
export function describePickleValue(value: PickleValue | undefined): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'None';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof PyTuple) return 'tuple';
  if (value instanceof PyDict) return value.className;
  if (value instanceof PySet) return value.frozen ? 'frozenset' : 'set';
  if (value instanceof PyGlobal) return value.qualifiedName;
  if (value instanceof PyObject) return `${value.cls.qualifiedName} object`;
  if (isPickleExtension(value)) return value.pickleExtension;
  return typeof value === 'string' ? 'str' : typeof value === 'boolean' ? 'bool' : typeof value === 'bigint' ? 'int' : 'number';
}

/** A short printable form: scalars as Python would print them, containers by type. */
export function formatPickleValue(value: PickleValue | undefined): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return describePickleValue(value);
}
