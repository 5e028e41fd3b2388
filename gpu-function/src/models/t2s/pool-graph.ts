/**
 * The resident route's pool maintenance (see io.ts, "Resident decode"): one small graph, run only when the decode
 * batch's composition or capacity changes, never per step. It builds the next device pool from the current one and
 * the few rows the host must supply (sequences just prefilled), so an admission or a leave uploads only the new
 * sequences' K/V instead of the whole pool:
 *
 *   pool_i = Gather(Concat([fit(old_i), fit(fresh_i)], 0), source_rows)        for every K and V of every layer
 *
 * where `fit` cuts or zero-pads the column axis to `capacity` (Slice, then Pad: growing and shrinking the pool), and
 * `source_rows[r]` picks row r of the new pool: an old row (a running sequence, possibly moved to another slot) or,
 * counted from B_old, a fresh row. It has no weights, so it is built at load time, never written into bundles.
 * @module
 */
import { GraphBuilder, Ops, encodeModel, type Value } from '../../onnx/index.ts';
import { ModelSession, type RuntimeConfig } from '../../runtime/index.ts';
import { headDim, type T2sDims, type T2sPrecision } from './config.ts';
import { T2S_POOL_REBUILD, freshPoolName, oldPoolName, rebuiltPoolName, t2sKvDtype, t2sPoolRebuildOutputs } from './io.ts';

/**
 * Inputs: `source_rows` int64 `[B]`, `capacity` int64 `[1]` (the new column count), `old_pads`/`fresh_pads` int64 `[8]`
 * (ONNX Pad layout: only the column axis's end is non-zero), and per layer `old_*` `[B_old, H, C_old, d]` and
 * `fresh_*` `[F, H, C_fresh, d]` (F ≥ 1: a one-column zero row stands in when nothing is fresh).
 */
export function buildT2sPoolRebuild(dims: T2sDims, precision: T2sPrecision): GraphBuilder {
  const g = new GraphBuilder({ name: 't2s_pool_rebuild', precision });
  const op = new Ops(g);
  const dtype = t2sKvDtype(precision);
  const [heads, width] = [dims.heads, headDim(dims)];
  const rows = g.input(T2S_POOL_REBUILD.sourceRows, 'int64', ['batch']);
  const capacity = g.input(T2S_POOL_REBUILD.capacity, 'int64', [1]);
  const oldPads = g.input(T2S_POOL_REBUILD.oldPads, 'int64', [8]);
  const freshPads = g.input(T2S_POOL_REBUILD.freshPads, 'int64', [8]);
  const fit = (x: Value, pads: Value): Value => op.pad(op.slice(x, [0], capacity, [2]), pads);
  for (let i = 0; i < dims.layers; i += 1) {
    for (const kind of ['key', 'value'] as const) {
      const old = g.input(oldPoolName(i, kind), dtype, ['old_batch', heads, 'old_capacity', width]);
      const fresh = g.input(freshPoolName(i, kind), dtype, ['fresh_batch', heads, 'fresh_capacity', width]);
      g.output(op.gather(op.concat([fit(old, oldPads), fit(fresh, freshPads)], 0), rows, 0), rebuiltPoolName(i, kind), ['batch', heads, 'capacity', width]);
    }
  }
  return g;
}

/**
 * Builds the rebuild graph and opens it with its outputs on the device (WebGPU). It has no weights, so bundles do not
 * carry it: any bundle with the resident decode graph gets one at load time.
 */
export async function loadT2sPoolRebuild(dims: T2sDims, precision: T2sPrecision, runtime: RuntimeConfig, label: string): Promise<ModelSession> {
  return ModelSession.load(await encodeModel(buildT2sPoolRebuild(dims, precision)), runtime, label, { deviceOutputs: t2sPoolRebuildOutputs(dims) });
}
