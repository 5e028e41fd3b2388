import { describe, expect, it } from 'vitest';
import { parsePythonLiteral, pythonAssignment, stringCollection } from './python-literal.ts';

describe('Python literal reader', () => {
  it('reads strings as Python does: quotes, escapes, raw, triple-quoted, adjacent concatenation', () => {
    expect(parsePythonLiteral(`'a' "b" u'c' r'\\d'`, 'f.py')).toBe('abc\\d');
    expect(parsePythonLiteral(`"\\u4e00\\x41\\101\\n\\t\\q\\\\"`, 'f.py')).toBe('一AA\n\t\\q\\');
    expect(parsePythonLiteral(`'''it's\n"ok"'''`, 'f.py')).toBe('it\'s\n"ok"');
    expect(parsePythonLiteral(`'line\\\ncontinued'`, 'f.py')).toBe('linecontinued');
  });

  it('reads integers, booleans, None and nested containers with comments and trailing commas', () => {
    const value = parsePythonLiteral(
      `{\n  0x4E00: 'yī',  # one\n  12_295: ["a", ("b",), (), {1, 2,}],\n  -3: (True, False, None),\n}`,
      'f.py',
    );
    expect(value).toEqual({
      kind: 'dict',
      entries: [
        [0x4e00, 'yī'],
        [12295, { kind: 'list', items: ['a', { kind: 'tuple', items: ['b'] }, { kind: 'tuple', items: [] }, { kind: 'set', items: [1, 2] }] }],
        [-3, { kind: 'tuple', items: [true, false, null] }],
      ],
    });
    expect(parsePythonLiteral('{}', 'f.py')).toEqual({ kind: 'dict', entries: [] });
    expect(parsePythonLiteral('("x")', 'f.py')).toBe('x');
  });

  it('reads floats as Python does (jieba posseg keeps log probabilities as literals)', () => {
    expect(parsePythonLiteral("{('B', 'a'): -4.762305214596967, ('B', 'ag'): -3.14e+100, 'x': [.5, 1., 2E-3, 1_0.5]}", 'f.py')).toEqual({
      kind: 'dict',
      entries: [
        [{ kind: 'tuple', items: ['B', 'a'] }, -4.762305214596967],
        [{ kind: 'tuple', items: ['B', 'ag'] }, -3.14e100],
        ['x', { kind: 'list', items: [0.5, 1, 0.002, 10.5] }],
      ],
    });
  });

  it('refuses anything that is not a plain literal, naming the file, line and column', () => {
    expect(() => parsePythonLiteral('{\n  set(["a"])\n}', 'lists.py')).toThrow(/^lists\.py:2:3: .*name "set"/);
    expect(() => parsePythonLiteral("['a' + 'b']", 'f.py')).toThrow(/f\.py:1:6: expected "," or "]"/);
    expect(() => parsePythonLiteral("f'{x}'", 'f.py')).toThrow(/name "f"/);
    expect(() => parsePythonLiteral("['a', 1.5.2]", 'f.py')).toThrow(/expected a number/);
    expect(() => parsePythonLiteral('[1e5j]', 'f.py')).toThrow(/expected a number/);
    expect(() => parsePythonLiteral("{'a': 1, 'b'}", 'f.py')).toThrow(/expected ":" in a dict/);
    expect(() => parsePythonLiteral("['a',\n 'b'", 'f.py')).toThrow(/f\.py:1:1: "\[" is never closed/);
    expect(() => parsePythonLiteral("'abc\n'", 'f.py')).toThrow(/unterminated string/);
    expect(() => parsePythonLiteral("'a' 'b' x", 'f.py')).toThrow(/unexpected text after the literal/);
    expect(() => parsePythonLiteral('['.repeat(100_000), 'deep.py')).toThrow(/deep\.py:1:65: literals nested deeper than 64 levels/);
  });
});

describe('pythonAssignment', () => {
  const source = [
    'import os',
    'must_erhua = {"小院儿", "范儿"}  # comment',
    'not_erhua: set = {',
    '    "婴儿",',
    '}',
    'class ToneSandhi:',
    '    def __init__(self):',
    '        self.must_neural_tone_words = ["麻烦"]',
    '        must_erhua = None',
    '        self.twice = 1',
    '        self.twice = 2',
    '        self.computed = {"a"} | other',
  ].join('\n');

  it('finds module-level names at the start of a line and self attributes at any indent', () => {
    expect(stringCollection(pythonAssignment(source, 'c.py', 'must_erhua'), 'c.py', 'must_erhua')).toEqual(['小院儿', '范儿']);
    expect(stringCollection(pythonAssignment(source, 'c.py', 'not_erhua'), 'c.py', 'not_erhua')).toEqual(['婴儿']);
    expect(pythonAssignment(source, 'c.py', 'self.must_neural_tone_words')).toEqual({ kind: 'list', items: ['麻烦'] });
  });

  it('fails naming the file when the name is absent, assigned twice, or not a plain literal', () => {
    expect(() => pythonAssignment(source, 'c.py', 'self.must_not_neural_tone_words')).toThrow('c.py: no assignment to self.must_not_neural_tone_words found');
    expect(() => pythonAssignment(source, 'c.py', 'self.twice')).toThrow('c.py: self.twice is assigned 2 times; expected once');
    expect(() => pythonAssignment(source, 'c.py', 'self.computed')).toThrow(/c\.py:12:\d+: unexpected "\|" after the literal/);
  });

  it('checks that a collection holds only strings', () => {
    expect(() => stringCollection({ kind: 'set', items: ['a', 1] }, 'c.py', 'x')).toThrow('c.py: x[1] is not a string');
    expect(() => stringCollection('abc', 'c.py', 'x')).toThrow('c.py: x is not a list, tuple or set of strings');
  });
});
