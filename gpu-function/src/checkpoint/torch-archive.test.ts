import { createWriteStream } from 'node:fs';
import { copyFile, readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { describe, expect, it } from 'vitest';
import { float32ToFloat16 } from '../tensor/index.ts';
import { CheckpointError, openTorchCheckpoint, PyObject, toPlain, type PyDict } from './index.ts';
import { PickleFloat, PickleInstance, PickleOrderedDict } from './pickle-writer.ts';
import { rejection, withTempDir } from './test-support.ts';
import { MAX_PICKLE_BYTES } from './torch-archive.ts';
import { TensorWrite, ownedTensor, writeTorchCheckpoint, type StorageSource } from './torch-writer.ts';
import { MAX_INFLATED_ENTRY_BYTES, openZip } from './zip.ts';

const bytesOf = (view: ArrayBufferView): Uint8Array => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
const values = Float32Array.from({ length: 24 }, (_, i) => i - 5.5);
const shared: StorageSource = { key: '0', dtype: 'float32', numel: 24, bytes: () => bytesOf(values) };

async function readWeights(file: string): Promise<Map<string, { dtype: string; shape: readonly number[]; data: unknown[] }>> {
  const checkpoint = await openTorchCheckpoint(file);
  const store = checkpoint.stateDict((checkpoint.root as PyDict).get('weight') as PyDict);
  const out = new Map<string, { dtype: string; shape: readonly number[]; data: unknown[] }>();
  for (const name of store.names()) {
    const tensor = await store.read(name);
    out.set(name, { dtype: tensor.dtype, shape: tensor.shape, data: Array.from(tensor.data as ArrayLike<unknown>) });
  }
  await store.close();
  return out;
}

describe('torch zip checkpoints', () => {
  it('round-trips fp16/fp32/int64/bool tensors, strided views, offsets and shared storages', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'views.pth');
      const half = float32ToFloat16(Float32Array.from([1, -2, 0.5, 65504]));
      await writeTorchCheckpoint(file, new PickleOrderedDict([['weight', new Map<string, TensorWrite>([
        ['whole', new TensorWrite(shared, [4, 6])],
        ['transposed', new TensorWrite(shared, [6, 4], { stride: [1, 6] })],
        ['window', new TensorWrite(shared, [2, 3], { offset: 2, stride: [8, 2] })],
        ['tail', new TensorWrite(shared, [3], { offset: 21 })],
        ['half', ownedTensor('1', 'float16', [2, 2], () => bytesOf(half))],
        ['long', ownedTensor('2', 'int64', [2], () => bytesOf(BigInt64Array.from([-3n, 2n ** 40n])))],
        ['mask', ownedTensor('3', 'bool', [3], () => Uint8Array.from([1, 0, 1]))],
        ['empty', ownedTensor('4', 'float32', [0, 5], () => new Uint8Array(0))],
        ['scalar', ownedTensor('5', 'float32', [], () => bytesOf(Float32Array.from([7])))],
      ])]]), { folder: 'some_folder' });
      const read = await readWeights(file);
      expect(read.get('whole')?.data).toEqual(Array.from(values));
      expect(read.get('transposed')?.data).toEqual(Array.from({ length: 24 }, (_, i) => values[(i % 4) * 6 + Math.floor(i / 4)]));
      expect(read.get('window')?.data).toEqual([2, 4, 6, 10, 12, 14].map((i) => values[i]));
      expect(read.get('tail')?.data).toEqual([15.5, 16.5, 17.5]);
      expect(read.get('half')).toEqual({ dtype: 'float16', shape: [2, 2], data: Array.from(half) });
      expect(read.get('long')).toEqual({ dtype: 'int64', shape: [2], data: [-3n, 2n ** 40n] });
      expect(read.get('mask')).toEqual({ dtype: 'bool', shape: [3], data: [1, 0, 1] });
      expect(read.get('empty')).toEqual({ dtype: 'float32', shape: [0, 5], data: [] });
      expect(read.get('scalar')).toEqual({ dtype: 'float32', shape: [], data: [7] });
    });
  });

  it('keeps nested HParams configs and restores a GPT-SoVITS header tag to PK', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'pro.pth');
      const config = new PickleInstance('utils', 'HParams', {
        data: new PickleInstance('utils', 'HParams', { sampling_rate: 32000, max_wav_value: new PickleFloat(32768) }),
        model: new PickleInstance('utils', 'HParams', { upsample_rates: [10, 8, 2, 2, 2], version: 'v2Pro' }),
        pretrain: null,
      });
      await writeTorchCheckpoint(file, new PickleOrderedDict([['weight', new Map()], ['config', config], ['info', 'x']]), { header: '05' });
      expect((await readFile(file)).subarray(0, 2).toString('latin1')).toBe('05');
      const checkpoint = await openTorchCheckpoint(file);
      expect(checkpoint.header).toBe('05');
      expect(checkpoint.folder).toBe('archive/');
      const root = checkpoint.root as PyDict;
      expect(root.get('config')).toBeInstanceOf(PyObject);
      expect(toPlain(root.get('config') ?? null)).toEqual({
        data: { sampling_rate: 32000, max_wav_value: 32768 }, model: { upsample_rates: [10, 8, 2, 2, 2], version: 'v2Pro' }, pretrain: null,
      });
      await checkpoint.close();
    });
  });

  describe('malformed files fail with a message naming the file (and the tensor)', () => {
    const write = async (file: string): Promise<void> => {
      await writeTorchCheckpoint(file, new PickleOrderedDict([['weight', new Map([['w', new TensorWrite(shared, [4, 6])]])]]));
    };

    it('truncated', async () => {
      await withTempDir(async (dir) => {
        const file = join(dir, 'cut.pth');
        await write(file);
        await truncate(file, 100);
        const error = await rejection(openTorchCheckpoint(file));
        expect(error).toBeInstanceOf(CheckpointError);
        expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*(truncated|zip)`));
      });
    });

    it('not a zip, empty, unknown version tag, legacy torch format', async () => {
      await withTempDir(async (dir) => {
        const cases: [string, string | Uint8Array, string][] = [
          ['text.pth', 'hello, I am not a checkpoint', 'is not a PyTorch zip checkpoint'],
          ['empty.pth', '', 'not a PyTorch checkpoint (empty or truncated)'],
          ['tag.pth', '07 and more bytes here', "unknown GPT-SoVITS version header '07'"],
          ['legacy.pth', Uint8Array.from([0x80, 0x02, 0x8a, 0x0a]), 'legacy (PyTorch < 1.6)'],
        ];
        for (const [name, content, message] of cases) {
          const file = join(dir, name);
          await writeFile(file, content);
          const error = await rejection(openTorchCheckpoint(file));
          expect(error.message.startsWith(`${file}: `), error.message).toBe(true);
          expect(error.message).toContain(message);
        }
        const missing = join(dir, 'missing.pth');
        expect((await rejection(openTorchCheckpoint(missing))).message).toContain(`${missing}: cannot open`);
      });
    });

    it('a zip that is not a torch checkpoint, or whose PK was stamped with an unknown pair of bytes', async () => {
      await withTempDir(async (dir) => {
        const file = join(dir, 'other.pth');
        await write(file);
        const bytes = await readFile(file);
        const renamed = Buffer.from(bytes.toString('latin1').replaceAll('archive/data.pkl', 'archive/data.txt'), 'latin1');
        await writeFile(file, renamed);
        expect((await rejection(openTorchCheckpoint(file))).message).toContain('no <folder>/data.pkl');
        bytes.write('ZZ', 0, 'latin1');
        await writeFile(file, bytes);
        expect((await rejection(openTorchCheckpoint(file))).message).toContain('is not a PyTorch zip checkpoint');
      });
    });

    it('an unknown pickle global', async () => {
      await withTempDir(async (dir) => {
        const file = join(dir, 'evil.pth');
        await writeTorchCheckpoint(file, new PickleOrderedDict([['weight', new PickleInstance('os', 'system', 'rm -rf /')]]));
        const error = await rejection(openTorchCheckpoint(file));
        expect(error.message).toContain(file);
        expect(error.message).toContain("refusing unknown global 'os.system'");
      });
    });

    it('a missing storage record or a view past its storage names the tensor', async () => {
      await withTempDir(async (dir) => {
        const file = join(dir, 'holes.pth');
        const short: StorageSource = { key: '7', dtype: 'float32', numel: 4, bytes: () => new Uint8Array(16) };
        await writeTorchCheckpoint(file, new PickleOrderedDict([['weight', new Map([
          ['beyond', new TensorWrite(short, [3], { offset: 2 })],
          ['gone', new TensorWrite(shared, [4, 6])],
        ])]]));
        const copy = join(dir, 'holes2.pth');
        const bytes = await readFile(file);
        await writeFile(copy, Buffer.from(bytes.toString('latin1').replaceAll('archive/data/0', 'archive/data/X'), 'latin1'));
        await copyFile(copy, file);
        const checkpoint = await openTorchCheckpoint(file);
        const store = checkpoint.stateDict((checkpoint.root as PyDict).get('weight') as PyDict);
        const beyond = await rejection(store.read('beyond'));
        expect(beyond.message).toBe(`${file}: tensor 'beyond': view [3] (offset 2, stride [1]) runs past its storage of 4 elements`);
        const gone = await rejection(store.read('gone'));
        expect(gone.message).toBe(`${file}: tensor 'gone': its storage record 'archive/data/0' is missing`);
        const absent = await rejection(store.read('nope'));
        expect(absent.message).toBe(`${file}: tensor 'nope': is missing from this file`);
        await store.close();
      });
    });

    // Zip bombs, found by the bad-input suite: each was inflated whole, a gigabyte of memory for a 1 MB file.
    it('a compressed entry that inflates past what a compressed entry may hold, or a pickle past its bound', async () => {
      await withTempDir(async (dir) => {
        const zipOf = async (file: string, parts: { name: string; data: Readable | Buffer; compress: boolean }[]): Promise<void> => {
          const zip = new ZipFile();
          for (const part of parts) {
            if (Buffer.isBuffer(part.data)) zip.addBuffer(part.data, part.name, { compress: part.compress });
            else zip.addReadStream(part.data, part.name, { compress: part.compress });
          }
          zip.end();
          await pipeline(zip.outputStream, createWriteStream(file));
        };
        const zeros = (bytes: number): Readable =>
          Readable.from(
            (function* chunks() {
              for (let left = bytes; left > 0; left -= 1 << 20) yield Buffer.alloc(Math.min(left, 1 << 20));
            })(),
          );
        const bomb = join(dir, 'bomb.pth');
        await zipOf(bomb, [{ name: 'archive/data/0', data: zeros(MAX_INFLATED_ENTRY_BYTES + 1), compress: true }]);
        const zip = await openZip(bomb);
        const inflated = await rejection(zip.read('archive/data/0', 0, 16));
        await zip.close();
        expect(inflated.message).toMatch(new RegExp(`^${escape(bomb)}: zip entry 'archive/data/0' is compressed and says it inflates to ${String(MAX_INFLATED_ENTRY_BYTES + 1)} bytes`));
        const big = join(dir, 'big.pth');
        await zipOf(big, [{ name: 'archive/data.pkl', data: Buffer.alloc(MAX_PICKLE_BYTES + 1), compress: false }]);
        const stored = await rejection(openTorchCheckpoint(big));
        expect(stored.message).toBe(`${big}: its object record archive/data.pkl is ${String(MAX_PICKLE_BYTES + 1)} bytes; a checkpoint's is at most ${String(MAX_PICKLE_BYTES)} (the tensors are kept apart from it)`);
      });
    }, 60_000);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
