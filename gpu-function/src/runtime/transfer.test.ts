import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../onnx/graph-builder.ts';
import { Ops } from '../onnx/ops.ts';
import { encodeModel } from '../onnx/writer.ts';
import { MemoryTensorStore } from '../tensor/memory-store.ts';
import { tensor } from '../tensor/tensor.ts';
import { ModelSession } from './session.ts';
import { countTransfer, crossesBoundary, graphRunTotals } from './transfer.ts';

/** `y = x · w` with w [4, 3]: a float32 input of [batch, 4] and an output of [batch, 3]. */
async function projection(label: string): Promise<ModelSession> {
  const weights = new MemoryTensorStore([['w', tensor('float32', [4, 3], new Float32Array(12).fill(0.5))]]);
  const g = new GraphBuilder({ name: 'projection', weights, precision: 'fp32' });
  const op = new Ops(g);
  const x = g.input('x', 'float32', ['batch', 4]);
  g.output(op.matMul(x, g.weight('w')), 'y', ['batch', 3]);
  return ModelSession.load(await encodeModel(g), undefined, label);
}

describe('host↔device transfer accounting', () => {
  const hostIn = { location: 'cpu', bytes: 1000 } as const;
  const deviceIn = { location: 'gpu-buffer', bytes: 400 } as const;
  const hostOut = { location: 'cpu', bytes: 30 } as const;
  const deviceOut = { location: 'gpu-buffer', bytes: 7 } as const;

  it('moves every input and output under CUDA (the Node binding has no IoBinding)', () => {
    expect(countTransfer('cuda', [hostIn, deviceIn], [hostOut, deviceOut])).toEqual({ hostToDeviceBytes: 1400, deviceToHostBytes: 37, ioBytes: 1437 });
  });

  it('moves only host tensors under WebGPU: GPU buffers stay on the device', () => {
    expect(countTransfer('webgpu', [hostIn, deviceIn], [hostOut, deviceOut])).toEqual({ hostToDeviceBytes: 1000, deviceToHostBytes: 30, ioBytes: 1437 });
    expect(crossesBoundary('webgpu', 'cpu-pinned')).toBe(true);
  });

  it('moves nothing on the CPU provider, yet keeps what a copying provider would move', () => {
    expect(countTransfer('cpu', [hostIn, deviceIn], [hostOut, deviceOut])).toEqual({ hostToDeviceBytes: 0, deviceToHostBytes: 0, ioBytes: 1437 });
  });

  it('counts a session run by run, cumulatively and per graph', async () => {
    const label = `transfer-test-${String(Math.random())}`;
    const session = await projection(label);
    expect(session.executionProvider).toBe('cpu');
    expect(session.lastRun).toBeUndefined();
    await session.run({ x: tensor('float32', [2, 4], new Float32Array(8)) });
    // 2 × 4 floats in, 2 × 3 floats out; nothing crosses on the CPU provider.
    expect(session.lastRun).toEqual({ hostToDeviceBytes: 0, deviceToHostBytes: 0, ioBytes: 32 + 24 });
    const into = tensor('float32', [5, 3], new Float32Array(15));
    await session.run({ x: tensor('float32', [5, 4], new Float32Array(20)) }, { y: into });
    // An output written into a caller-owned tensor still counts: a device provider copies it back all the same.
    expect(session.lastRun?.ioBytes).toBe(80 + 60);
    expect(session.stats).toMatchObject({ runs: 2, hostToDeviceBytes: 0, deviceToHostBytes: 0, ioBytes: 56 + 140 });
    expect(graphRunTotals().find((totals) => totals.graph === label)).toMatchObject({ runs: 2, ioBytes: 196, hostToDeviceBytes: 0 });
    await session.release();
  });

  it('does not count a run that failed', async () => {
    const session = await projection(`transfer-fail-${String(Math.random())}`);
    await expect(session.run({ x: tensor('float32', [1, 5], new Float32Array(5)) })).rejects.toThrow(/failed to run/);
    expect(session.stats.runs).toBe(0);
    expect(session.stats.ioBytes).toBe(0);
    await session.release();
  });
});
