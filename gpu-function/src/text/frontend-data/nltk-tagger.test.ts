import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTaggerPickle } from './nltk-tagger.ts';

const dir = await mkdtemp(join(tmpdir(), 'gsv-nltk-'));
afterAll(async () => rm(dir, { recursive: true, force: true }));

/** Python 2 `str` at protocol 2: SHORT_BINSTRING (the bytes of the text). */
const str = (text: string): Buffer => Buffer.concat([Buffer.of(0x55, text.length), Buffer.from(text, 'latin1')]);
const float = (value: number): Buffer => {
  const bytes = Buffer.alloc(9);
  bytes[0] = 0x47; // BINFLOAT, big-endian
  bytes.writeDoubleBE(value, 1);
  return bytes;
};
const op = (text: string): Buffer => Buffer.from(text, 'latin1');

/**
 * The shape of NLTK's `averaged_perceptron_tagger.pickle` as Python 2's cPickle wrote it at protocol 2: the
 * `(weights, tagdict, classes)` tuple, `classes` a `set` built by calling `__builtin__.set` on a list (protocol 2
 * has no set opcodes), with memo puts as cPickle emits them.
 */
function python2TaggerPickle(setModule: string): Buffer {
  return Buffer.concat([
    Buffer.of(0x80, 0x02),
    op('}q\x01('),
    str('bias'), op('}q\x02('), str('NN'), float(1.5), str('VB'), float(-0.25), op('u'),
    str('i suffix ing'), op('}q\x03'), str('VBG'), float(2), op('su'),
    op('}q\x04'), str('the'), str('DT'), op('s'),
    op(`c${setModule}\nset\nq\x05`), op(']q\x06('), str('NN'), str('VB'), str('VBG'), str('DT'), op('e\x85q\x07Rq\x08'),
    op('\x87q\x09.'),
  ]);
}

describe("NLTK's pickled tagger (taggers/averaged_perceptron_tagger/averaged_perceptron_tagger.pickle)", () => {
  it('reads the Python 2 pickle whose classes are a __builtin__.set call (it used to abort the bundle command)', async () => {
    for (const setModule of ['__builtin__', 'builtins']) {
      const file = join(dir, `${setModule}.pickle`);
      await writeFile(file, python2TaggerPickle(setModule));
      const tagger = await readTaggerPickle(file);
      expect([...tagger.classes].sort()).toEqual(['DT', 'NN', 'VB', 'VBG']);
      expect(tagger.tagdict.get('the')).toBe('DT');
      expect(tagger.weights.get('bias')).toEqual(new Map([['NN', 1.5], ['VB', -0.25]]));
      expect(tagger.weights.get('i suffix ing')?.get('VBG')).toBe(2);
    }
  });

  it('still refuses any other global, and set() of anything but a list', async () => {
    const file = join(dir, 'evil.pickle');
    await writeFile(file, python2TaggerPickle('os').toString('latin1').replace('cos\nset', 'cos\nsystem'), 'latin1');
    await expect(readTaggerPickle(file)).rejects.toThrow(/refusing unknown global 'os\.system'/u);
    const notAList = Buffer.concat([Buffer.of(0x80, 0x02), op('c__builtin__\nset\n'), str('NN'), op('\x85R.')]);
    await writeFile(file, notAList);
    await expect(readTaggerPickle(file)).rejects.toThrow(/set\(\) takes one list/u);
  });
});
