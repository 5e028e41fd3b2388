/**
 * The only module that imports onnxruntime-node. Wraps an inference session so the rest of the code deals in
 * `HostTensor`s, reports a failed run with every feed's name, dtype and shape, and accounts for each run: time inside
 * onnxruntime and the bytes that crossed the host↔device boundary under the configured provider (transfer.ts).
 *
 * On WebGPU a session may keep chosen outputs on the device (`deviceOutputs`): they come back as `DeviceTensor`
 * handles that later runs accept as feeds without a host copy. onnxruntime-node 1.30's limits shape the API (see
 * docs/engine.md, "Device residency"): a device tensor cannot be read on the host (its `getData()` aborts the
 * process), is never garbage-collected (it must be disposed), is read as garbage by a session of another provider,
 * and cannot be written into (preallocated device outputs are ignored).
 * @module
 */
import ort from 'onnxruntime-node';
import { formatShape, numel, type DType, type HostTensor, type TensorDataMap } from '../tensor/tensor.ts';
import { DEFAULT_RUNTIME_CONFIG, type ExecutionProvider, type RuntimeConfig } from './config.ts';
import { countTransfer, recordGraphRun, type TensorPlacement, type TransferCount } from './transfer.ts';

export type Feeds = Readonly<Record<string, HostTensor>>;
/** Feeds of a session that may also take device tensors (the outputs of earlier runs kept on the device). */
export type DeviceFeeds = Readonly<Record<string, HostTensor | DeviceTensor>>;

/**
 * A tensor that lives in device memory (a WebGPU buffer), output by a run and fed to later runs. It has no data on
 * the host: there is deliberately no way to read it here. Its owner must `dispose()` it once it is replaced (the
 * buffer is not garbage-collected); the session that made it disposes the ones still alive when it is released.
 */
export class DeviceTensor {
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly bytes: number;
  readonly #tensor: ort.Tensor;
  readonly #owner: Set<DeviceTensor>;
  #disposed = false;

  /** Only ModelSession makes these (from a run's gpu-buffer outputs). */
  constructor(tensor: ort.Tensor, owner: Set<DeviceTensor>) {
    if (tensor.location !== 'gpu-buffer') throw new TypeError(`a device tensor must be a gpu-buffer, not ${tensor.location}`);
    this.dtype = tensor.type as DType;
    this.shape = [...tensor.dims];
    this.bytes = numel(tensor.dims) * ORT_TYPE_BYTES[tensor.type];
    this.#tensor = tensor;
    this.#owner = owner;
    owner.add(this);
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#owner.delete(this);
    this.#tensor.dispose();
  }

  /** The onnxruntime tensor to feed (ModelSession only); refuses a disposed one rather than feeding a freed buffer. */
  feed(): ort.Tensor {
    if (this.#disposed) throw new Error(`a disposed device tensor (${this.dtype} ${formatShape(this.shape)}) was fed to a run`);
    return this.#tensor;
  }
}

export interface ModelSessionOptions {
  /**
   * Outputs to keep on the device (WebGPU only; loading with any on another provider is an error). `run` refuses a
   * session that has them; `runDevice` returns them as DeviceTensors.
   */
  readonly deviceOutputs?: readonly string[];
}

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
  /** Outputs kept on the device (empty unless loaded with `deviceOutputs` on WebGPU). */
  readonly deviceOutputs: ReadonlySet<string>;
  readonly #session: ort.InferenceSession;
  /** Device tensors this session output that nobody has disposed yet. */
  readonly #live = new Set<DeviceTensor>();

  private constructor(label: string, session: ort.InferenceSession, executionProvider: ExecutionProvider, deviceOutputs: ReadonlySet<string>) {
    this.label = label;
    this.#session = session;
    this.executionProvider = executionProvider;
    this.deviceOutputs = deviceOutputs;
  }

  /** Loads a model from a file (external weight files resolve next to it) or from bytes. */
  static async load(model: string | Uint8Array, config: RuntimeConfig = DEFAULT_RUNTIME_CONFIG, label?: string, extra: ModelSessionOptions = {}): Promise<ModelSession> {
    const name = label ?? (typeof model === 'string' ? model : 'in-memory model');
    const deviceOutputs = new Set(extra.deviceOutputs ?? []);
    if (deviceOutputs.size > 0 && config.executionProvider !== 'webgpu') {
      throw new Error(`${name}: device outputs need the webgpu provider, not ${config.executionProvider} (onnxruntime-node binds device outputs only on WebGPU)`);
    }
    const options = sessionOptions(config, deviceOutputs);
    const session =
      typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
    for (const output of deviceOutputs) {
      if (!session.outputNames.includes(output)) {
        await session.release();
        throw new Error(`${name} has no output ${output} to keep on the device`);
      }
    }
    return new ModelSession(name, session, config.executionProvider, deviceOutputs);
  }

  /** Device tensors output by this session and not yet disposed (a leak check for tests). */
  get liveDeviceTensors(): number {
    return this.#live.size;
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
    if (this.deviceOutputs.size > 0) throw new Error(`${this.label} keeps outputs on the device: call runDevice`);
    const results = await this.#run(feeds, into);
    const outputs: Record<string, HostTensor> = {};
    for (const [name, value] of Object.entries(results)) {
      const caller = into[name];
      outputs[name] = caller ?? fromOrt(name, value);
    }
    return outputs;
  }

  /**
   * Runs a graph whose feeds may be device tensors (WebGPU only) and returns the host outputs and the device outputs
   * apart. Every device output is a new DeviceTensor the caller owns and must dispose; feeds are never disposed here.
   * On a session without device outputs this is `run` with every output on the host.
   */
  async runDevice(feeds: DeviceFeeds): Promise<{ host: Record<string, HostTensor>; device: Record<string, DeviceTensor> }> {
    const results = await this.#run(feeds, {});
    const host: Record<string, HostTensor> = {};
    const device: Record<string, DeviceTensor> = {};
    for (const [name, value] of Object.entries(results)) {
      if (this.deviceOutputs.has(name)) {
        if (!(value instanceof ort.Tensor) || value.location !== 'gpu-buffer') throw new Error(`${this.label}: output ${name} did not stay on the device`);
        device[name] = new DeviceTensor(value, this.#live);
      } else {
        host[name] = fromOrt(name, value);
      }
    }
    return { host, device };
  }

  async #run(feeds: DeviceFeeds, into: Feeds): Promise<ort.InferenceSession.ReturnType> {
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [name, value] of Object.entries(feeds)) {
      if (value instanceof DeviceTensor) {
        // A device tensor fed to another provider's session is read as garbage by 1.30, with no error.
        if (this.executionProvider !== 'webgpu') throw new Error(`${this.label}: feed ${name} is a device tensor, which the ${this.executionProvider} provider cannot read`);
        ortFeeds[name] = value.feed();
      } else {
        ortFeeds[name] = toOrt(value);
      }
    }
    const fetches: Record<string, ort.Tensor | null> = {};
    // Every output is fetched, in the session's order: with a subset, 1.30 applies the per-output locations by
    // position in the fetch list and the wrong outputs stay on the device.
    for (const name of this.#session.outputNames) fetches[name] = null;
    for (const [name, value] of Object.entries(into)) {
      // A preallocated device output is silently ignored by 1.30 (a new buffer is returned).
      if (this.deviceOutputs.has(name)) throw new Error(`${this.label}: output ${name} stays on the device and cannot be written into a host tensor`);
      fetches[name] = toOrt(value);
    }
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
    return results;
  }

  /** Releases the session and disposes the device tensors it output that are still alive. */
  async release(): Promise<void> {
    for (const tensor of [...this.#live]) tensor.dispose();
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

function sessionOptions(config: RuntimeConfig, deviceOutputs: ReadonlySet<string>): ort.InferenceSession.SessionOptions {
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
    ...(deviceOutputs.size > 0 ? { preferredOutputLocation: Object.fromEntries([...deviceOutputs].map((name) => [name, 'gpu-buffer' as const])) } : {}),
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
