/**
 * Measures one decode-attention step end to end through `ModelSession` (onnxruntime's GroupQueryAttention, CPU
 * provider, past and present bound to one buffer) for several pool capacities and row lengths. Not a test: timings
 * are printed.
 *
 *     npx node gpu-function/src/models/t2s/measure-gqa-scaling.ts
 *
 * Shapes are the pretrained T2S's (16 heads of 32), batch 8, one intra-op thread. The kernel itself scales with each
 * row's own length (measured with onnxruntime's profiler); what grows with the capacity here is onnxruntime-node
 * copying every CPU output, preallocated or not, into a new ArrayBuffer after each run.
 * @module
 */
import { GraphBuilder, Ops, attr, encodeModel } from '../../onnx/index.ts';
import { DEFAULT_RUNTIME_CONFIG, ModelSession } from '../../runtime/index.ts';
import { tensor, type HostTensor } from '../../tensor/index.ts';

const HEADS = 16;
const HEAD_SIZE = 32;
const BATCH = 8;

async function attentionSession(): Promise<ModelSession> {
  const g = new GraphBuilder({ name: 'gqa' });
  const op = new Ops(g);
  const qkv = g.input('qkv', 'float32', [BATCH, 1, 3 * HEADS * HEAD_SIZE]);
  const past = ['past_key', 'past_value'].map((name) => g.input(name, 'float32', [BATCH, HEADS, 'capacity', HEAD_SIZE]));
  const seqlens = g.input('seqlens_k', 'int32', [BATCH]);
  const total = g.input('total_sequence_length', 'int32', []);
  const outputs = op.contrib('GroupQueryAttention', [qkv, null, null, past[0] ?? null, past[1] ?? null, seqlens, total], { num_heads: attr.int(HEADS), kv_num_heads: attr.int(HEADS) }, 3);
  ['context', 'present_key', 'present_value'].forEach((name, i) => {
    const value = outputs[i];
    if (value !== undefined) g.output(value, name);
  });
  return ModelSession.load(await encodeModel(g), { ...DEFAULT_RUNTIME_CONFIG, intraOpThreads: 1 });
}

async function microsecondsPerStep(session: ModelSession, capacity: number, lengths: readonly number[]): Promise<number> {
  const pool = (): HostTensor => tensor('float32', [BATCH, HEADS, capacity, HEAD_SIZE], new Float32Array(BATCH * HEADS * capacity * HEAD_SIZE).fill(0.01));
  const key = pool();
  const value = pool();
  const feeds = {
    qkv: tensor('float32', [BATCH, 1, 3 * HEADS * HEAD_SIZE], new Float32Array(BATCH * 3 * HEADS * HEAD_SIZE).fill(0.1)),
    past_key: key,
    past_value: value,
    seqlens_k: tensor('int32', [BATCH], Int32Array.from(lengths)),
    total_sequence_length: tensor('int32', [], Int32Array.of(Math.max(...lengths) + 1)),
  };
  const run = (): Promise<unknown> => session.run(feeds, { present_key: key, present_value: value });
  for (let i = 0; i < 3; i += 1) await run();
  const steps = 20;
  const start = performance.now();
  for (let i = 0; i < steps; i += 1) await run();
  return ((performance.now() - start) / steps) * 1000;
}

const session = await attentionSession();
const rows: string[] = ['capacity  lengths (8 rows)            µs/step'];
for (const capacity of [256, 1024, 4096]) {
  for (const lengths of [Array<number>(BATCH).fill(16), Array<number>(BATCH).fill(200), [16, 16, 16, 16, 16, 16, 16, 200]]) {
    const label = lengths.every((l) => l === lengths[0]) ? `all ${lengths[0]}` : `seven 16, one 200`;
    rows.push(`${String(capacity).padEnd(9)} ${label.padEnd(27)} ${(await microsecondsPerStep(session, capacity, lengths)).toFixed(1)}`);
  }
}
process.stdout.write(`${rows.join('\n')}\n`);
await session.release();
