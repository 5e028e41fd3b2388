import { describe, expect, it } from 'vitest';
import { PickleError, unpickle, type GlobalHandler } from './pickle-reader.ts';
import { PyDict, PyObject, PySet, PyTuple, type PickleValue } from './pickle-values.ts';
import { PickleFloat, PickleInstance, PickleOrderedDict, PickleTuple, pickle } from './pickle-writer.ts';
import { toPlain } from './plain.ts';

// pickle.dumps(v, protocol=p).hex() from CPython 3.11 for
// v = {'a': [1, 2.5, (3, 'x')], 'b': b'\x00\x01\xff', 'c': -2**70, 'd': 2**63, 'e': frozenset(), 'f': {1, 2}, 'g': -1,
//      'h': -129, 'i': None, 'j': True, 'k': '日本語', 'l': (), 'm': (1,), 'n': 2**31, 'o': -2**31 - 1, 'p': 1e-300,
//      'q': OrderedDict([('z', 1)])}
const PYTHON_PICKLES: Record<number, string> = {
  0: '286470300a56610a70310a286c70320a49310a6146322e350a612849330a56780a70330a7470340a617356620a70350a635f636f646563730a656e636f64650a70360a28565c753030303001ff0a70370a566c6174696e310a70380a7470390a527031300a7356630a7031310a4c2d313138303539313632303731373431313330333432344c0a7356640a7031320a4c393232333337323033363835343737353830384c0a7356650a7031330a635f5f6275696c74696e5f5f0a66726f7a656e7365740a7031340a28286c7031350a747031360a527031370a7356660a7031380a635f5f6275696c74696e5f5f0a7365740a7031390a28286c7032300a49310a6149320a61747032310a527032320a7356670a7032330a492d310a7356680a7032340a492d3132390a7356690a7032350a4e73566a0a7032360a4930310a73566b0a7032370a565c75363565355c75363732635c75386139650a7032380a73566c0a7032390a287473566d0a7033300a2849310a747033310a73566e0a7033320a4c323134373438333634384c0a73566f0a7033330a4c2d323134373438333634394c0a7356700a7033340a4631652d3330300a7356710a7033350a63636f6c6c656374696f6e730a4f726465726564446963740a7033360a2874527033370a567a0a7033380a49310a73732e',
  2: '80027d71002858010000006171015d7102284b014740040000000000004b035801000000787103867104655801000000627105635f636f646563730a656e636f64650a710658040000000001c3bf710758060000006c6174696e31710886710952710a580100000063710b8a090000000000000000c0580100000064710c8a09000000000000008000580100000065710d635f5f6275696c74696e5f5f0a66726f7a656e7365740a710e5d710f8571105271115801000000667112635f5f6275696c74696e5f5f0a7365740a71135d7114284b014b026585711552711658010000006771174affffffff58010000006871184a7fffffff58010000006971194e58010000006a711a8858010000006b711b5809000000e697a5e69cace8aa9e711c58010000006c711d2958010000006d711e4b0185711f58010000006e71208a05000000800058010000006f71218a05ffffff7fff58010000007071224701a56e1fc2f8f359580100000071712363636f6c6c656374696f6e730a4f726465726564446963740a71242952712558010000007a71264b0173752e',
  4: '800495e3000000000000007d94288c0161945d94284b014740040000000000004b038c0178948694658c01629443030001ff948c0163948a090000000000000000c08c0164948a090000000000000080008c0165942891948c0166948f94284b014b02908c0167944affffffff8c0168944a7fffffff8c0169944e8c016a94888c016b948c09e697a5e69cace8aa9e948c016c94298c016d944b0185948c016e948a0500000080008c016f948a05ffffff7fff8c0170944701a56e1fc2f8f3598c0171948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c017a944b0173752e',
  5: '800595e3000000000000007d94288c0161945d94284b014740040000000000004b038c0178948694658c01629443030001ff948c0163948a090000000000000000c08c0164948a090000000000000080008c0165942891948c0166948f94284b014b02908c0167944affffffff8c0168944a7fffffff8c0169944e8c016a94888c016b948c09e697a5e69cace8aa9e948c016c94298c016d944b0185948c016e948a0500000080008c016f948a05ffffff7fff8c0170944701a56e1fc2f8f3598c0171948c0b636f6c6c656374696f6e73948c0b4f726465726564446963749493942952948c017a944b0173752e',
};

const hex = (text: string): Uint8Array => Uint8Array.from(text.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
const listArg = (args: readonly PickleValue[]): PickleValue[] => {
  const [items] = args;
  return Array.isArray(items) ? items : [];
};
const GLOBALS = new Map<string, GlobalHandler>([
  ['_codecs.encode', { kind: 'function', call: ([text]) => Uint8Array.from(typeof text === 'string' ? text : '', (c) => c.charCodeAt(0)) }],
  ['__builtin__.set', { kind: 'function', call: (args) => new PySet(listArg(args), false) }],
  ['__builtin__.frozenset', { kind: 'function', call: (args) => new PySet(listArg(args), true) }],
  ['collections.OrderedDict', { kind: 'function', call: () => new PyDict('collections.OrderedDict') }],
  ['utils.HParams', { kind: 'class' }],
]);

describe('unpickle', () => {
  it.each([0, 2, 4, 5])('decodes a CPython protocol %i pickle exactly', (protocol) => {
    const value = unpickle(hex(PYTHON_PICKLES[protocol] ?? ''), { globals: GLOBALS });
    expect(value).toBeInstanceOf(PyDict);
    const dict = value as PyDict;
    const a = dict.get('a') as PickleValue[];
    expect(a.slice(0, 2)).toEqual([1, 2.5]);
    expect(a[2]).toEqual(new PyTuple([3, 'x']));
    expect(dict.get('b')).toEqual(new Uint8Array([0, 1, 255]));
    expect(dict.get('c')).toBe(-(2n ** 70n));
    expect(dict.get('d')).toBe(2n ** 63n);
    expect(dict.get('e')).toEqual(new PySet([], true));
    expect(dict.get('f')).toEqual(new PySet([1, 2], false));
    expect([dict.get('g'), dict.get('h'), dict.get('i'), dict.get('j'), dict.get('k')]).toEqual([-1, -129, null, true, '日本語']);
    expect([dict.get('l'), dict.get('m')]).toEqual([new PyTuple([]), new PyTuple([1])]);
    expect([dict.get('n'), dict.get('o'), dict.get('p')]).toEqual([2 ** 31, -(2 ** 31) - 1, 1e-300]);
    const ordered = dict.get('q') as PyDict;
    expect([ordered.className, [...ordered]]).toEqual(['collections.OrderedDict', [['z', 1]]]);
  });

  it('round-trips what the writer produces, HParams and OrderedDict included', () => {
    const bytes = pickle(new PickleOrderedDict([
      ['config', new PickleInstance('utils', 'HParams', { model: new PickleInstance('utils', 'HParams', { gin: 512, rates: [10, 8] }), max: new PickleFloat(32768) })],
      ['ints', [0, 255, 256, 65535, 65536, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2 ** 40), 2n ** 100n, -(2n ** 100n)]],
      ['many', Array.from({ length: 2500 }, (_, i) => i)],
      ['map', new Map(Array.from({ length: 1500 }, (_, i) => [`k${i}`, i] as const))],
      ['tuples', [new PickleTuple([]), new PickleTuple([1]), new PickleTuple([1, 2]), new PickleTuple([1, 2, 3]), new PickleTuple([1, 2, 3, 4])]],
      ['misc', [null, true, false, 'ünïcödé', new Uint8Array([0, 200]), 0.1]],
    ]));
    const value = unpickle(bytes, { globals: GLOBALS }) as PyDict;
    const config = value.get('config');
    expect(config).toBeInstanceOf(PyObject);
    expect((config as PyObject).cls.qualifiedName).toBe('utils.HParams');
    expect(toPlain(config ?? null)).toEqual({ model: { gin: 512, rates: [10, 8] }, max: 32768 });
    expect(value.get('ints')).toEqual([0, 255, 256, 65535, 65536, -1, 2 ** 31 - 1, -(2 ** 31), 2 ** 40, -(2 ** 40), 2n ** 100n, -(2n ** 100n)]);
    expect(value.get('many')).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect((value.get('map') as PyDict).size).toBe(1500);
    expect((value.get('tuples') as PyTuple[]).map((t) => t.items.length)).toEqual([0, 1, 2, 3, 4]);
    expect(value.get('misc')).toEqual([null, true, false, 'ünïcödé', new Uint8Array([0, 200]), 0.1]);
  });

  it('refuses globals it was not given, without running anything', () => {
    // pickle of os.system('echo hi') (protocol 0 GLOBAL + REDUCE)
    const malicious = new TextEncoder().encode("cos\nsystem\n(S'echo hi'\ntR.");
    expect(() => unpickle(malicious, { globals: GLOBALS })).toThrow(PickleError);
    expect(() => unpickle(malicious, { globals: GLOBALS })).toThrow("refusing unknown global 'os.system'");
  });

  it('reports truncated and malformed streams with the byte offset', () => {
    const bytes = pickle({ key: 'value' });
    expect(() => unpickle(bytes.subarray(0, bytes.length - 3), { globals: GLOBALS })).toThrow(/pickle byte \d+: .*truncated/);
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0xff]), { globals: GLOBALS })).toThrow('unknown opcode 0xff');
    expect(() => unpickle(new Uint8Array([0x80, 0x09]), { globals: GLOBALS })).toThrow('unsupported pickle protocol 9');
    expect(() => unpickle(new Uint8Array([0x80, 0x02, 0x51, 0x2e]), { globals: GLOBALS })).toThrow('stack underflow');
  });
});

// Pickle bombs, found by the bad-input suite (scripts/reliability/bad-input/bundle-files.ts): each overflowed the
// stack, ran for minutes or took a gigabyte, and ended (if at all) without saying what was wrong.
describe('pickle bombs', () => {
  const PROTO = [0x80, 0x02];
  const STOP = 0x2e;

  it('appends a million items at once without spreading them over the call stack', () => {
    const count = 1_000_000;
    const bytes = new Uint8Array(2 + 2 + count * 2 + 2);
    bytes.set([...PROTO, 0x5d, 0x28]);
    for (let i = 0; i < count; i += 1) bytes.set([0x4b, i & 0xff], 4 + i * 2);
    bytes.set([0x65, STOP], 4 + count * 2);
    expect((unpickle(bytes, { globals: GLOBALS }) as PickleValue[]).length).toBe(count);
  });

  it('refuses integers wider than a checkpoint holds, at once (decoding them is quadratic)', () => {
    const size = 8_000_000;
    const long4 = new Uint8Array(2 + 5 + size + 1).fill(0x7f);
    long4.set([...PROTO, 0x8b, size & 0xff, (size >> 8) & 0xff, (size >> 16) & 0xff, size >>> 24]);
    long4[long4.length - 1] = STOP;
    const started = performance.now();
    expect(() => unpickle(long4, { globals: GLOBALS })).toThrow(/pickle byte 2: an integer of 8000000 bytes is wider than any checkpoint holds/);
    const text = Uint8Array.from([...PROTO, 0x4c, ...new TextEncoder().encode(`${'9'.repeat(1_000_000)}L\n`), STOP]);
    expect(() => unpickle(text, { globals: GLOBALS })).toThrow(/an integer literal of 1000000 characters is longer than Python reads/);
    expect(performance.now() - started).toBeLessThan(2000);
    // Python's own limit is still read.
    expect(unpickle(Uint8Array.from([...PROTO, 0x4c, ...new TextEncoder().encode(`-${'9'.repeat(4300)}L\n`), STOP]), { globals: GLOBALS })).toBe(-(10n ** 4300n - 1n));
  });

  it('refuses a config that expands past a million values through shared references (a billion laughs)', () => {
    const bytes: number[] = [...PROTO, 0x5d, 0x71, 0, 0x28, ...Array.from({ length: 10 }, () => [0x4b, 1]).flat(), 0x65, 0x30];
    for (let level = 1; level <= 30; level += 1) bytes.push(0x5d, 0x71, level, 0x28, ...Array.from({ length: 10 }, () => [0x68, level - 1]).flat(), 0x65, 0x30);
    bytes.push(0x68, 30, STOP);
    const laughs = unpickle(Uint8Array.from(bytes), { globals: GLOBALS });
    expect(() => toPlain(laughs)).toThrow('the config holds more than 1000000 values (a pickle bomb?)');
    // Shared references that stay small are fine.
    const shared: PickleValue = [1, 2];
    expect(toPlain([shared, shared])).toEqual([[1, 2], [1, 2]]);
  });

  it('refuses a config nested a hundred thousand deep, or containing itself, with a reason', () => {
    const depth = 100_000;
    const nested = unpickle(Uint8Array.from([...PROTO, ...new Array<number>(depth).fill(0x5d), ...new Array<number>(depth - 1).fill(0x61), STOP]), { globals: GLOBALS });
    expect(() => toPlain(nested)).toThrow(/^config(\[0\]){64}: the config is nested more than 64 levels deep$/);
    const itself = unpickle(Uint8Array.from([...PROTO, 0x5d, 0x71, 0, 0x68, 0, 0x61, STOP]), { globals: GLOBALS });
    expect(() => toPlain(itself)).toThrow('config[0]: the config contains itself');
  });

  it('keeps a `__proto__` key a key', () => {
    const dict = new PyDict();
    dict.set('__proto__', 7);
    const plain = toPlain(dict) as Record<string, unknown>;
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(plain, '__proto__')?.value).toBe(7);
  });
});
