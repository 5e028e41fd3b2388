/**
 * Opens the T2S graphs of a bundle for the T2S benchmarks, on the provider `ORT_EP` names (the CPU provider when
 * unset, as the engine's runtime config reads it) and in the precision the engine picks there (fp32 on CPU, fp16 on
 * GPUs, when the bundle has it). `whole` loads every graph of the bundle, as the engine's worker holds them, so a
 * scenario's peak RSS is the worker's; otherwise only the two T2S graphs are loaded (faster to start, same T2S
 * timings). On `webgpu`, with a bundle that has the resident decode graph, the resident route's two graphs are opened
 * too (as the engine's loader does), so the T2S benchmarks time the route the engine would run.
 * @module
 */
import { join } from 'node:path';
import { loadBundle } from '../../src/engine/bundle/loaded-bundle.ts';
import { graphPath } from '../../src/models/bundle/layout.ts';
import { readBundleManifest, type BundlePrecision } from '../../src/models/bundle/manifest.ts';
import type { T2sDims } from '../../src/models/t2s/config.ts';
import { t2sResidentPoolOutputs } from '../../src/models/t2s/io.ts';
import { loadT2sPoolRebuild } from '../../src/models/t2s/pool-graph.ts';
import { ModelSession, runtimeConfigFromEnv } from '../../src/runtime/index.ts';

export interface T2sGraphs {
  readonly prefill: ModelSession;
  readonly decode: ModelSession;
  /** The device-resident route's graphs (webgpu and a bundle that has them; see engine/runner/t2s-runner.ts). */
  readonly decodeResident: ModelSession | undefined;
  readonly poolRebuild: ModelSession | undefined;
  readonly dims: T2sDims;
  readonly precision: BundlePrecision;
  release(): Promise<void>;
}

export async function openT2sGraphs(bundleDir: string, whole: boolean): Promise<T2sGraphs> {
  const runtime = runtimeConfigFromEnv(process.env);
  if (whole) {
    const bundle = await loadBundle(bundleDir, { runtime });
    return {
      prefill: bundle.sessions.t2sPrefill,
      decode: bundle.sessions.t2sDecode,
      decodeResident: bundle.sessions.t2sDecodeResident,
      poolRebuild: bundle.sessions.t2sPoolRebuild,
      dims: bundle.manifest.t2s.dims,
      precision: bundle.precision,
      release: () => bundle.release(),
    };
  }
  const manifest = await readBundleManifest(bundleDir);
  const preferred: BundlePrecision = runtime.executionProvider === 'cpu' ? 'fp32' : 'fp16';
  const precision: BundlePrecision = manifest.precisions.includes(preferred) ? preferred : preferred === 'fp32' ? 'fp16' : 'fp32';
  const prefill = await ModelSession.load(join(bundleDir, graphPath(precision, 't2s-prefill')), runtime, 't2s-prefill');
  const decode = await ModelSession.load(join(bundleDir, graphPath(precision, 't2s-decode')), runtime, 't2s-decode');
  const resident = runtime.executionProvider === 'webgpu' && manifest.files.some((file) => file.role === 't2s-decode-resident' && file.precision === precision);
  const decodeResident = resident
    ? await ModelSession.load(join(bundleDir, graphPath(precision, 't2s-decode-resident')), runtime, 't2s-decode-resident', { deviceOutputs: t2sResidentPoolOutputs(manifest.t2s.dims) })
    : undefined;
  const poolRebuild = resident ? await loadT2sPoolRebuild(manifest.t2s.dims, precision, runtime, 't2s-pool-rebuild') : undefined;
  return {
    prefill,
    decode,
    decodeResident,
    poolRebuild,
    dims: manifest.t2s.dims,
    precision,
    async release() {
      await prefill.release();
      await decode.release();
      await decodeResident?.release();
      await poolRebuild?.release();
    },
  };
}
