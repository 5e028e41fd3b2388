/**
 * The only module that imports onnxruntime-node. Wraps an inference session so the rest of the code deals in
 * `HostTensor`s, reports a failed run with every feed's name, dtype and shape, and accounts for each run: time inside
 * onnxruntime and the bytes that crossed the host↔device boundary under the configured provider (transfer.ts).
 * @module
 */
import ort from 'onnxruntime-node';
import { formatShape, numel, type DType, type HostTensor, type TensorDataMap } from '../tensor/tensor.ts';
import { DEFAULT_RUNTIME_CONFIG, type ExecutionProvider, type RuntimeConfig } from './config.ts';
import { countTransfer, recordGraphRun, type TensorPlacement, type TransferCount } from './transfer.ts';

export type Feeds = Readonly<Record<string, HostTensor>>;

/** What a session has done since it was loaded (successful runs only). */
export interface SessionStats {
  runs: number;
  /** Total milliseconds inside onnxruntime's run(), for measuring host-side overhead. */
  milliseconds: number;
  /** Bytes copied host → device and device → host under the session's provider (0 on the CPU provider). */
  hostToDeviceBytes: number;
  deviceToHostBytes: number;
  /** Every input and output byte: what the CUDA provider, which copies them all, would have moved. */
  ioBytes: number;
}

export class ModelSession {
  readonly label: string;
  /** The provider the session was created for: it decides which bytes cross the boundary. */
  readonly executionProvider: ExecutionProvider;
  /** Cumulative accounting; callers read differences around the runs they time. */
  readonly stats: SessionStats = { runs: 0, milliseconds: 0, hostToDeviceBytes: 0, deviceToHostBytes: 0, ioBytes: 0 };
  /** The bytes the last successful run moved (undefined before the first). */
  lastRun: TransferCount | undefined;
  readonly #session: ort.InferenceSession;

  private constructor(label: string, session: ort.InferenceSession, executionProvider: ExecutionProvider) {
    this.label = label;
    this.#session = session;
    this.executionProvider = executionProvider;
  }

  /** Loads a model from a file (external weight files resolve next to it) or from bytes. */
  static async load(model: string | Uint8Array, config: RuntimeConfig = DEFAULT_RUNTIME_CONFIG, label?: string): Promise<ModelSession> {
    const options = sessionOptions(config);
    const session =
      typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
    return new ModelSession(label ?? (typeof model === 'string' ? model : 'in-memory model'), session, config.executionProvider);
  }

  get inputNames(): readonly string[] {
    return this.#session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.#session.outputNames;
  }

  /**
   * Runs the graph. `into` names outputs to write into caller-owned tensors (no copy on the CPU provider); every
   * other output is returned as a new tensor.
   */
  async run(feeds: Feeds, into: Feeds = {}): Promise<Record<string, HostTensor>> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, value] of Object.entries(feeds)) ortFeeds[name] = toOrt(value);
    const fetches: Record<string, ort.Tensor | null> = {};
    for (const name of this.#session.outputNames) fetches[name] = null;
    for (const [name, value] of Object.entries(into)) fetches[name] = toOrt(value);
    let results: ort.InferenceSession.ReturnType;
    const started = performance.now();
    try {
      results = await this.#session.run(ortFeeds, fetches);
      const milliseconds = performance.now() - started;
      this.#account(milliseconds, Object.values(ortFeeds), Object.values(results));
    } catch (error) {
      const described = Object.entries(feeds)
        .map(([name, value]) => `${name}: ${value.dtype} ${formatShape(value.shape)}`)
        .join('; ');
      throw new Error(`${this.label} failed to run (${described}): ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    const outputs: Record<string, HostTensor> = {};
    for (const [name, value] of Object.entries(results)) {
      const caller = into[name];
      outputs[name] = caller ?? fromOrt(name, value);
    }
    return outputs;
  }

  async release(): Promise<void> {
    await this.#session.release();
  }

  #account(milliseconds: number, inputs: readonly ort.Tensor[], outputs: readonly ort.OnnxValue[]): void {
    const transfer = countTransfer(this.executionProvider, inputs.map(placement), outputs.map(placement));
    this.stats.runs += 1;
    this.stats.milliseconds += milliseconds;
    this.stats.hostToDeviceBytes += transfer.hostToDeviceBytes;
    this.stats.deviceToHostBytes += transfer.deviceToHostBytes;
    this.stats.ioBytes += transfer.ioBytes;
    this.lastRun = transfer;
    recordGraphRun(this.label, milliseconds, transfer);
  }
}

function sessionOptions(config: RuntimeConfig): ort.InferenceSession.SessionOptions {
  const providers: ort.InferenceSession.ExecutionProviderConfig[] =
    config.executionProvider === 'cuda'
      ? [{ name: 'cuda', deviceId: config.deviceId }]
      : config.executionProvider === 'webgpu'
        ? ['webgpu']
        : ['cpu'];
  return {
    executionProviders: providers,
    graphOptimizationLevel: config.graphOptimization,
    intraOpNumThreads: config.intraOpThreads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  };
}

const ORT_TYPES: Readonly<Partial<Record<DType, ort.Tensor.Type>>> = {
  float32: 'float32',
  float16: 'float16',
  float64: 'float64',
  int64: 'int64',
  int32: 'int32',
  int16: 'int16',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

/** Bytes per element of onnxruntime's tensor types (sub-byte types round up: they are never fed here). */
const ORT_TYPE_BYTES: Readonly<Record<ort.Tensor.Type, number>> = {
  float32: 4,
  float16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
  uint16: 2,
  uint32: 4,
  uint64: 8,
  int4: 1,
  uint4: 1,
  string: 0,
};

/**
 * Where a value lives and how big it is, read from its dims (a `gpu-buffer` tensor's data cannot be read on the host
 * without a download). Outputs that are not tensors (sequences, maps) are not produced by any graph here.
 */
function placement(value: ort.OnnxValue): TensorPlacement {
  if (!(value instanceof ort.Tensor)) return { location: 'cpu', bytes: 0 };
  return { location: value.location, bytes: numel(value.dims) * ORT_TYPE_BYTES[value.type] };
}

function toOrt(value: HostTensor): ort.Tensor {
  const type = ORT_TYPES[value.dtype];
  if (type === undefined) throw new TypeError(`onnxruntime has no ${value.dtype} tensors`);
  return new ort.Tensor(type, value.data as ort.Tensor.DataType, [...value.shape]);
}

function fromOrt(name: string, value: ort.OnnxValue): HostTensor {
  if (!(value instanceof ort.Tensor)) throw new TypeError(`output ${name} is not a tensor`);
  const dtype = value.type as DType;
  if (ORT_TYPES[dtype] === undefined) throw new TypeError(`output ${name} has unsupported type ${value.type}`);
  return { dtype, shape: [...value.dims], data: value.data as TensorDataMap[DType] };
}
