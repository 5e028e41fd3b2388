/**
 * Device-bench probe: can onnxruntime-node run a graph on `--provider` here? Prints one bench result line with
 * `available` (1 or 0) and, in its notes, why not. Run in its own process by bench.ts, because a provider whose
 * native libraries are half present can abort the process rather than throw.
 *
 * CUDA: onnxruntime-node's npm package carries no CUDA provider (its install script downloads it from NuGet, which a
 * machine without network cannot reach; Dockerfile.gpu runs that script), so the probe first looks for the provider
 * library beside the binding. WebGPU: the provider is inside the package (Dawn) but needs the Vulkan loader
 * (`libvulkan.so.1`, Debian's `libvulkan1`) and a Vulkan driver for the GPU.
 *
 *   node scripts/device/probe-provider.ts --provider cpu|cuda|webgpu
 * @module
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { emitResult } from '../../gpu-function/bench/scenario-result.ts';
import { GraphBuilder } from '../../gpu-function/src/onnx/graph-builder.ts';
import { Ops } from '../../gpu-function/src/onnx/ops.ts';
import { encodeModel } from '../../gpu-function/src/onnx/writer.ts';
import { DEFAULT_RUNTIME_CONFIG, ModelSession, type ExecutionProvider } from '../../gpu-function/src/runtime/index.ts';
import { MemoryTensorStore } from '../../gpu-function/src/tensor/memory-store.ts';
import { tensor } from '../../gpu-function/src/tensor/tensor.ts';

const { values } = parseArgs({ options: { provider: { type: 'string', default: 'cpu' } } });
const PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu'];
const provider = PROVIDERS.find((name) => name === values.provider);
if (provider === undefined) throw new Error(`--provider must be one of ${PROVIDERS.join(', ')}, got ${values.provider}`);

/** The folder of onnxruntime-node's native binding for this platform, where its install script puts the CUDA provider. */
function bindingDir(): string {
  const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
  return join(dirname(entry), '..', 'bin', 'napi-v6', process.platform, process.arch);
}

function unavailable(reason: string): never {
  emitResult({ metrics: { available: 0 }, notes: [reason] });
  process.exit(0);
}

if (provider === 'cuda' && !existsSync(join(bindingDir(), 'libonnxruntime_providers_cuda.so'))) {
  unavailable(`cuda unavailable: provider binaries not installed (no libonnxruntime_providers_cuda.so in ${bindingDir()}; onnxruntime-node downloads them at install time, which needs network)`);
}

/** Whether the dynamic loader can find the Vulkan loader library: in LD_LIBRARY_PATH, or in ldconfig's cache. */
function hasVulkanLoader(): boolean {
  const dirs = (process.env['LD_LIBRARY_PATH'] ?? '').split(':').filter((dir) => dir !== '');
  if (dirs.some((dir) => existsSync(join(dir, 'libvulkan.so.1')))) return true;
  for (const ldconfig of ['ldconfig', '/sbin/ldconfig', '/usr/sbin/ldconfig']) {
    try {
      return execFileSync(ldconfig, ['-p'], { encoding: 'utf8' }).includes('libvulkan.so.1');
    } catch {
      // Not at this path; try the next.
    }
  }
  return false;
}

if (provider === 'webgpu' && !hasVulkanLoader()) {
  unavailable('webgpu unavailable: no Vulkan loader (libvulkan.so.1); carry Debian\'s libvulkan1 package (scripts/device/pack.sh --vulkan)');
}

// y = x · w: the smallest graph that makes the provider compile and run a kernel.
const weights = new MemoryTensorStore([['w', tensor('float32', [4, 3], Float32Array.from({ length: 12 }, (_, i) => i / 12))]]);
const g = new GraphBuilder({ name: 'probe', weights, precision: 'fp32' });
const x = g.input('x', 'float32', ['batch', 4]);
g.output(new Ops(g).matMul(x, g.weight('w')), 'y', ['batch', 3]);
const started = performance.now();
try {
  const session = await ModelSession.load(await encodeModel(g), { ...DEFAULT_RUNTIME_CONFIG, executionProvider: provider }, `probe-${provider}`);
  const out = await session.run({ x: tensor('float32', [2, 4], Float32Array.of(1, 0, 0, 0, 0, 1, 0, 0)) });
  const y = out['y']?.data;
  // Row 0 of x picks row 0 of w: 0, 1/12, 2/12. A provider that runs but computes garbage is not available.
  if (!(y instanceof Float32Array) || Math.abs((y[1] ?? 0) - 1 / 12) > 1e-3) unavailable(`${provider} unavailable: the probe graph ran but gave wrong values`);
  await session.release();
} catch (error) {
  // onnxruntime prefixes its source location and failed check ("…/webgpu_context.cc:136 … was false. "): keep the why.
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
  unavailable(`${provider} unavailable: ${message.replace(/^.* was false\. /, '')}`);
}
emitResult({ metrics: { available: 1, probe_ms: performance.now() - started }, notes: [`${provider}: the probe graph ran`] });
