/**
 * How many bytes one graph run moves across the host↔device boundary under each execution provider, as
 * onnxruntime-node behaves (read from its binding's sources, 1.30):
 * - CUDA: the Node binding has no IoBinding, so every input is a host tensor that onnxruntime copies to the device on
 *   each `run()`, and every output is copied back to the host (also outputs written into caller-owned tensors);
 * - WebGPU: tensors whose location is `gpu-buffer` (`Tensor.fromGpuBuffer`, or outputs with
 *   `preferredOutputLocation: 'gpu-buffer'`) stay on the device; host tensors (`cpu`, `cpu-pinned`) are copied;
 * - CPU: nothing crosses.
 * Beside the bytes that crossed, every run also counts its input and output bytes (`ioBytes`): what a provider that
 * copies everything (CUDA) would move for the same run, so a CPU run can show what a GPU would pay.
 *
 * An upper bound for CUDA: onnxruntime keeps inputs that only feed shape computations on the host, and those are
 * counted here too; they are a few int64 scalars per run, never the cache.
 * @module
 */
import type { ExecutionProvider } from './config.ts';

/** Where a tensor handed to or returned by onnxruntime lives (onnxruntime-common's `Tensor.DataLocation`). */
export type TensorLocation = 'none' | 'cpu' | 'cpu-pinned' | 'texture' | 'gpu-buffer' | 'ml-tensor';

/** One input or output of a run: where it lives and its size in bytes. */
export interface TensorPlacement {
  readonly location: TensorLocation;
  readonly bytes: number;
}

/** Bytes one run moved (or, summed, many runs). */
export interface TransferCount {
  /** Inputs copied from host memory to the device. */
  readonly hostToDeviceBytes: number;
  /** Outputs copied from the device to host memory. */
  readonly deviceToHostBytes: number;
  /** Every input and output byte of the run: what the CUDA provider, which copies them all, would move. */
  readonly ioBytes: number;
}

export const NO_TRANSFER: TransferCount = { hostToDeviceBytes: 0, deviceToHostBytes: 0, ioBytes: 0 };

/** Whether a tensor at `location` is copied across the boundary when a graph runs under `provider`. */
export function crossesBoundary(provider: ExecutionProvider, location: TensorLocation): boolean {
  switch (provider) {
    case 'cpu':
      return false;
    case 'cuda':
      // The Node binding can only hand the CUDA provider host tensors, whatever a tensor object claims.
      return true;
    case 'webgpu':
      return location !== 'gpu-buffer';
  }
}

/** The bytes one run moves under `provider`, given where its inputs and outputs live. */
export function countTransfer(provider: ExecutionProvider, inputs: readonly TensorPlacement[], outputs: readonly TensorPlacement[]): TransferCount {
  let hostToDeviceBytes = 0;
  let deviceToHostBytes = 0;
  let ioBytes = 0;
  for (const input of inputs) {
    ioBytes += input.bytes;
    if (crossesBoundary(provider, input.location)) hostToDeviceBytes += input.bytes;
  }
  for (const output of outputs) {
    ioBytes += output.bytes;
    if (crossesBoundary(provider, output.location)) deviceToHostBytes += output.bytes;
  }
  return { hostToDeviceBytes, deviceToHostBytes, ioBytes };
}

export function addTransfer(a: TransferCount, b: TransferCount): TransferCount {
  return { hostToDeviceBytes: a.hostToDeviceBytes + b.hostToDeviceBytes, deviceToHostBytes: a.deviceToHostBytes + b.deviceToHostBytes, ioBytes: a.ioBytes + b.ioBytes };
}

/** Everything the sessions of one graph did since the process started (the Prometheus counters read these). */
export interface GraphRunTotals extends TransferCount {
  /** The session's label: `<model id>/<precision>/<graph file>` for bundle graphs. */
  readonly graph: string;
  readonly runs: number;
  /** Time inside onnxruntime's run(). */
  readonly milliseconds: number;
}

/**
 * Per-graph totals for this thread, kept apart from the sessions so that they only ever grow (a released session's
 * runs stay counted, as Prometheus counters require); sessions that share a label add up.
 */
const totals = new Map<string, GraphRunTotals>();

export function recordGraphRun(graph: string, milliseconds: number, transfer: TransferCount): void {
  const before = totals.get(graph) ?? { graph, runs: 0, milliseconds: 0, ...NO_TRANSFER };
  totals.set(graph, { ...addTransfer(before, transfer), graph, runs: before.runs + 1, milliseconds: before.milliseconds + milliseconds });
}

/** The totals of every graph run in this thread, in the order the graphs first ran. */
export function graphRunTotals(): GraphRunTotals[] {
  return [...totals.values()];
}
