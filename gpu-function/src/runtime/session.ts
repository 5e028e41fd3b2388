/**
 * The only module that imports onnxruntime-node. Wraps an inference session so the rest of the code deals in
 * `HostTensor`s, and reports a failed run with every feed's name, dtype and shape.
 * @module
 */
import ort from 'onnxruntime-node';
import { formatShape, type DType, type HostTensor, type TensorDataMap } from '../tensor/tensor.ts';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from './config.ts';

export type Feeds = Readonly<Record<string, HostTensor>>;

export class ModelSession {
  readonly label: string;
  /** Runs and total milliseconds spent inside onnxruntime, for measuring host-side overhead. */
  readonly stats = { runs: 0, milliseconds: 0 };
  readonly #session: ort.InferenceSession;

  private constructor(label: string, session: ort.InferenceSession) {
    this.label = label;
    this.#session = session;
  }

  /** Loads a model from a file (external weight files resolve next to it) or from bytes. */
  static async load(model: string | Uint8Array, config: RuntimeConfig = DEFAULT_RUNTIME_CONFIG, label?: string): Promise<ModelSession> {
    const options = sessionOptions(config);
    const session =
      typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
    return new ModelSession(label ?? (typeof model === 'string' ? model : 'in-memory model'), session);
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
      this.stats.runs += 1;
      this.stats.milliseconds += performance.now() - started;
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
