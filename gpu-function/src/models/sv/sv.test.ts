import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTorchStateDict } from '../../checkpoint/hf-folder.ts';
import { PickleOrderedDict } from '../../checkpoint/pickle-writer.ts';
import { ownedTensor, writeTorchCheckpoint } from '../../checkpoint/torch-writer.ts';
import { encodeModel, ExternalDataFile, type WeightSource } from '../../onnx/index.ts';
import { ModelSession } from '../../runtime/index.ts';
import { DTYPE_BYTES, float32ToFloat16, numel, readNpy, tensor, toFloat32, type HostTensor } from '../../tensor/index.ts';
import { agreement } from '../bert/error-metrics.ts';
import { readSvCheckpoint } from './checkpoint.ts';
import { svConvBnPairs, svDimsFromWeights, svExpectedShapes } from './config.ts';
import { computeSvEmbedding } from './embedding.ts';
import { foldConvBias, foldConvWeight } from './fold-batch-norm.ts';
import { buildSvGraph, writeSvGraph } from './graph.ts';
import { SV_FILE, SV_IO_NAMES } from './io.ts';
import { eres2netV2StateShapes, SV_PRETRAINED_ARGS, type Eres2NetV2Args } from './state-dict-shapes.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/sv');
const fixture = (name: string): string => join(fixtures, name);
const MICRO_CKPT = fixture('sv_micro.ckpt');

interface Manifest {
  readonly checkpoint: { readonly num_tensors: number };
  readonly real_model: { readonly num_params: number; readonly num_params_forward3: number; readonly num_state_dict_tensors: number; readonly num_state_dict_values: number; readonly embedding_dim: number };
}
let manifest: Manifest;
let dir: string;

beforeAll(async () => {
  manifest = JSON.parse(await readFile(fixture('manifest.json'), 'utf8')) as Manifest;
  dir = await mkdtemp(join(tmpdir(), 'gsv-sv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A shape-only store: enough to derive dims and build (not write) a graph. */
function shapeStore(args: Eres2NetV2Args): WeightSource & { readonly file: string } {
  const entries = new Map(eres2netV2StateShapes(args).map((entry) => [entry.name, entry]));
  return {
    file: 'pretrained_eres2netv2w24s4ep4.ckpt (shapes only)',
    info: (name) => entries.get(name),
    read: (name) => Promise.reject(new Error(`shape-only store cannot read ${name}`)),
  };
}

/** Rewrites the micro checkpoint with `edit` applied to its (name, tensor) list, as torch.save would store it. */
async function rewrite(fileName: string, edit: (entries: [string, HostTensor][]) => [string, HostTensor][]): Promise<string> {
  const store = await openTorchStateDict(MICRO_CKPT);
  const entries: [string, HostTensor][] = [];
  try {
    for (const name of store.names()) entries.push([name, await store.read(name)]);
  } finally {
    await store.close();
  }
  const file = join(dir, fileName);
  const dict = new PickleOrderedDict(
    edit(entries).map(([name, value], i) => {
      const bytes = new Uint8Array(value.data.buffer, value.data.byteOffset, numel(value.shape) * DTYPE_BYTES[value.dtype]);
      return [name, ownedTensor(String(i), value.dtype, value.shape, () => bytes)] as const;
    }),
  );
  await writeTorchCheckpoint(file, dict);
  return file;
}

describe('ERes2NetV2 dims and checkpoint', () => {
  it('mirrors ERes2NetV2.__init__: the micro checkpoint holds exactly the state dict its constructor arguments give', async () => {
    const expected = eres2netV2StateShapes({ ...SV_PRETRAINED_ARGS, mChannels: 6, numBlocks: [2, 2, 2, 1], embeddingSize: 2 });
    const store = await openTorchStateDict(MICRO_CKPT);
    try {
      expect(store.names()).toEqual(expected.map((entry) => entry.name));
      expect(store.names().map((name) => store.info(name)?.shape)).toEqual(expected.map((entry) => entry.shape));
      expect(store.names()).toHaveLength(manifest.checkpoint.num_tensors);
    } finally {
      await store.close();
    }
  });

  it('compiles the real 20480-d model (w24 s4 ep4, [3, 4, 6, 3]) from shapes alone', () => {
    const entries = eres2netV2StateShapes(SV_PRETRAINED_ARGS);
    const real = manifest.real_model;
    expect(entries).toHaveLength(real.num_state_dict_tensors);
    expect(entries.reduce((sum, entry) => sum + numel(entry.shape), 0)).toBe(real.num_state_dict_values);
    const parameters = entries.filter((entry) => entry.parameter);
    expect(parameters.reduce((sum, entry) => sum + numel(entry.shape), 0)).toBe(real.num_params);
    expect(parameters.filter((entry) => !entry.name.startsWith('seg_1.')).reduce((sum, entry) => sum + numel(entry.shape), 0)).toBe(real.num_params_forward3);

    const store = shapeStore(SV_PRETRAINED_ARGS);
    const dims = svDimsFromWeights(store);
    expect(dims.embeddingDim).toBe(real.embedding_dim);
    expect([dims.stemChannels, dims.expansion, dims.fuseChannels, dims.fuseFreq, dims.fuseInner]).toEqual([64, 4, 2048, 10, 512]);
    expect(dims.layers.map((layer) => layer.length)).toEqual([3, 4, 6, 3]);
    expect(dims.layers.map((layer) => [layer[0]!.width, layer[0]!.affInner, layer[0]!.shortcut, layer[1]!.shortcut])).toEqual([
      [24, 0, true, false],
      [48, 0, true, false],
      [96, 24, true, false],
      [192, 48, true, false],
    ]);
    const graph = buildSvGraph(store, { dims });
    const names = graph.pendingWeights.map((weight) => weight.name);
    // One folded weight + bias per conv/BatchNorm pair, plus layer3_ds; no BatchNorm statistics survive.
    const folded = [...svConvBnPairs(dims).flatMap((pair) => [`${pair.conv}.weight`, `${pair.conv}.bias`]), 'layer3_ds.weight'];
    expect([...names].sort()).toEqual(folded.sort());
    // Every tensor forward3 reads, except the BatchNorms folded away and seg_1, is the source of one initializer.
    expect(svExpectedShapes(dims).size).toBe(real.num_state_dict_tensors - 2 - svConvBnPairs(dims).length);
    expect(names).toContain('layer4.2.fuse_models.2.local_att.3.bias');
    expect(names).toContain('layer3_ds.weight');
    expect(names.some((name) => name.includes('running') || name.includes('.bn'))).toBe(false);
  });

  it('fails loudly, naming the tensor, on a checkpoint that lacks one', async () => {
    const lacking = 'layer3.1.fuse_models.2.local_att.4.running_var';
    const file = await rewrite('missing-bn.ckpt', (entries) => entries.filter(([name]) => name !== lacking));
    await expect(readSvCheckpoint(file)).rejects.toThrow(`${file}: tensor '${lacking}': is missing; ERes2NetV2 forward3 needs it`);
    const noConv = await rewrite('missing-conv.ckpt', (entries) => entries.filter(([name]) => name !== 'layer3_ds.weight'));
    await expect(readSvCheckpoint(noConv)).rejects.toThrow(`tensor 'layer3_ds.weight': is missing`);
    // The graph builder checks too, for stores that did not come through readSvCheckpoint.
    const sv = await readSvCheckpoint(MICRO_CKPT);
    try {
      const partial: WeightSource = { info: (name) => (name === lacking ? undefined : sv.weights.info(name)), read: (name) => sv.weights.read(name) };
      expect(() => buildSvGraph(partial)).toThrow(`tensor '${lacking}': is missing`);
    } finally {
      await sv.weights.close();
    }
  });

  it('refuses tensors ERes2NetV2 does not have, wrong shapes and GPT-SoVITS model files', async () => {
    const extra = await rewrite('extra.ckpt', (entries) => [...entries, ['head.weight', tensor('float32', [2], Float32Array.of(1, 2))]]);
    await expect(readSvCheckpoint(extra)).rejects.toThrow(/1 tensor\(s\) ERes2NetV2 does not have, e\.g\. 'head\.weight'/);
    const reshaped = await rewrite('reshaped.ckpt', (entries) =>
      entries.map(([name, value]) => [name, name === 'layer2.1.bns.3.bias' ? tensor('float32', [1, 4], value.data as Float32Array) : value]),
    );
    await expect(readSvCheckpoint(reshaped)).rejects.toThrow(`tensor 'layer2.1.bns.3.bias': has shape [1, 4], expected [4]`);
    const model = join(dir, 'model.pth');
    await writeTorchCheckpoint(model, new PickleOrderedDict([['weight', new PickleOrderedDict([])], ['config', new PickleOrderedDict([])], ['info', 'x']]));
    await expect(readSvCheckpoint(model)).rejects.toThrow(/GPT-SoVITS GPT\/SoVITS model checkpoint, not the speaker-verification state dict/);
  });
});

describe('sv graph', () => {
  it('folds BatchNorm as PyTorch evaluates it', () => {
    const weight = tensor('float32', [2, 1, 1, 2], Float32Array.of(1, -2, 0.5, 3));
    const bn = {
      weight: tensor('float32', [2], Float32Array.of(2, 0.5)),
      bias: tensor('float32', [2], Float32Array.of(0.1, -1)),
      runningMean: tensor('float32', [2], Float32Array.of(0.3, -0.2)),
      runningVar: tensor('float32', [2], Float32Array.of(4, 0.25)),
    };
    const s = [2 / Math.sqrt(4 + 1e-5), 0.5 / Math.sqrt(0.25 + 1e-5)];
    const x = [0.7, -1.1];
    const convBias = tensor('float32', [2], Float32Array.of(0.4, 0));
    const folded = foldConvWeight(weight, bn).data;
    const bias = foldConvBias(convBias, bn).data;
    for (let o = 0; o < 2; o += 1) {
      const conv = (weight.data[2 * o] ?? 0) * (x[0] ?? 0) + (weight.data[2 * o + 1] ?? 0) * (x[1] ?? 0) + (convBias.data[o] ?? 0);
      const expected = (conv - (bn.runningMean.data[o] ?? 0)) * (s[o] ?? 0) + (bn.bias.data[o] ?? 0);
      expect((folded[2 * o] ?? 0) * (x[0] ?? 0) + (folded[2 * o + 1] ?? 0) * (x[1] ?? 0) + (bias[o] ?? 0)).toBeCloseTo(expected, 5);
    }
  });

  it('reads an fp16 checkpoint exactly, writes sv.onnx with external weights, runs on one frame and refuses less', async () => {
    const halve = (value: HostTensor): HostTensor => (value.dtype === 'float32' ? tensor('float16', value.shape, float32ToFloat16(toFloat32(value).data)) : value);
    const half = await rewrite('half.ckpt', (entries) => entries.map(([name, value]) => [name, halve(value)]));
    // The same fp16-rounded values stored as float32: an fp16 reader that upcasts exactly gives the same graph.
    const rounded = await rewrite('rounded.ckpt', (entries) => entries.map(([name, value]) => [name, value.dtype === 'float32' ? toFloat32(halve(value)) : value]));
    const fbank = await readNpy(fixture('fbank_a.npy'));
    const feeds = { [SV_IO_NAMES.fbank]: tensor('float32', [1, ...fbank.shape], fbank.data as Float32Array) };
    const reference = await readSvCheckpoint(rounded);
    let expected: HostTensor;
    try {
      const session = await ModelSession.load(await encodeModel(buildSvGraph(reference.weights)));
      expected = (await session.run(feeds))[SV_IO_NAMES.embedding]!;
      await session.release();
    } finally {
      await reference.weights.close();
    }
    const sv = await readSvCheckpoint(half);
    try {
      expect(sv.weights.info('conv1.weight')?.dtype).toBe('float16');
      const external = new ExternalDataFile(dir, 'sv.weights');
      const written = await writeSvGraph(dir, sv.weights, { dims: sv.dims, externalData: external });
      await external.close();
      expect(written.path).toBe(join(dir, SV_FILE));
      const session = await ModelSession.load(written.path);
      const out = (await session.run(feeds))[SV_IO_NAMES.embedding]!;
      expect(agreement(out, expected).maxAbs).toBe(0);
      // This micro net amplifies weight rounding (2^-11) to a few % of its output; the pretrained one is never rounded.
      expect(agreement(out, await readNpy(fixture('embedding_a.npy'))).relative).toBeLessThan(0.1);
      const oneFrame = await computeSvEmbedding(session, (await readNpy(fixture('wave_a.npy'))).data.slice(0, 400) as Float32Array);
      expect(oneFrame).toHaveLength(sv.dims.embeddingDim);
      expect(oneFrame.every(Number.isFinite)).toBe(true);
      await expect(computeSvEmbedding(session, new Float32Array(399))).rejects.toThrow(RangeError);
      await session.release();
    } finally {
      await sv.weights.close();
    }
  });

  it('runs in fp16 with float32 input and output', async () => {
    const sv = await readSvCheckpoint(MICRO_CKPT);
    try {
      const session = await ModelSession.load(await encodeModel(buildSvGraph(sv.weights, { dims: sv.dims, precision: 'fp16' })));
      const fbank = await readNpy(fixture('fbank_b.npy'));
      const out = (await session.run({ [SV_IO_NAMES.fbank]: tensor('float32', [1, ...fbank.shape], fbank.data as Float32Array) }))[SV_IO_NAMES.embedding]!;
      expect(out.dtype).toBe('float32');
      expect(agreement(out, await readNpy(fixture('embedding_b.npy'))).relative).toBeLessThan(5e-2);
      await session.release();
    } finally {
      await sv.weights.close();
    }
  });
});
