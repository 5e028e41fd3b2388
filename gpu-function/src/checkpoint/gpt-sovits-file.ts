/**
 * What GPT `.ckpt` and SoVITS `.pth` files share: a dict `{weight, config, info}` in a torch zip. Also tells the two
 * kinds apart by their keys, so passing one where the other is expected fails with a message saying so.
 * @module
 */
import { CheckpointError, errorMessage } from './errors.ts';
import { PyDict, PyObject, describePickleValue, formatPickleValue } from './pickle-values.ts';
import { isPlainObject, toPlain, type PlainObject } from './plain.ts';
import type { TorchCheckpoint } from './torch-archive.ts';

export type GptSovitsFileKind = 'gpt' | 'sovits';

export interface GptSovitsParts {
  readonly weight: PyDict;
  /** The config as plain data: the s1 yaml dict (GPT) or the `HParams` object's attributes (SoVITS). */
  readonly config: PlainObject;
  /** The config's Python type: `builtins.dict`, `utils.HParams`... */
  readonly configType: string;
  readonly info: string;
  readonly kind: GptSovitsFileKind;
}

const SOVITS_KEY = /^(enc_p|dec|flow|ref_enc|quantizer|ssl_proj|cfm|sv_emb|ge_to512)\./;

/** Splits a GPT-SoVITS checkpoint into its parts and says which kind it is. */
export function gptSovitsParts(checkpoint: TorchCheckpoint): GptSovitsParts {
  const { file, root } = checkpoint;
  if (!(root instanceof PyDict)) throw new CheckpointError(file, `holds a ${describePickleValue(root)}, not a GPT-SoVITS checkpoint dict`);
  const weight = root.get('weight');
  if (weight === undefined) {
    const keys = [...root.keys()].map(String);
    if (keys.includes('state_dict')) {
      throw new CheckpointError(file, "is a Lightning training checkpoint ('state_dict'), not exported GPT-SoVITS weights; use the .ckpt GPT-SoVITS saves under GPT_weights*/");
    }
    if (keys.includes('model') && keys.includes('optimizer')) {
      throw new CheckpointError(file, 'is a SoVITS training checkpoint (logs_s2*/G_*.pth), not exported weights; use the .pth GPT-SoVITS saves under SoVITS_weights*/');
    }
    if (keys.some((key) => key.includes('.'))) throw new CheckpointError(file, 'is a bare state dict, not a GPT-SoVITS checkpoint (no weight/config/info entries)');
    throw new CheckpointError(file, `has no 'weight' entry (entries: ${keys.join(', ')})`);
  }
  if (!(weight instanceof PyDict)) throw new CheckpointError(file, `entry 'weight' is a ${describePickleValue(weight)}, expected a dict of tensors`);
  const rawConfig = root.get('config');
  if (!(rawConfig instanceof PyDict) && !(rawConfig instanceof PyObject)) {
    throw new CheckpointError(file, `entry 'config' is a ${describePickleValue(rawConfig)}, expected a dict or HParams`);
  }
  let config: PlainObject;
  try {
    const plain = toPlain(rawConfig);
    if (!isPlainObject(plain)) throw new Error('config is not a mapping');
    config = plain;
  } catch (error) {
    throw new CheckpointError(file, `unreadable config: ${errorMessage(error)}`, { cause: error });
  }
  const keys = [...weight.keys()].filter((key): key is string => typeof key === 'string');
  const kind: GptSovitsFileKind = keys.some((key) => key.startsWith('model.')) || !keys.some((key) => SOVITS_KEY.test(key)) ? 'gpt' : 'sovits';
  const info = root.get('info');
  return {
    weight,
    config,
    configType: rawConfig instanceof PyObject ? rawConfig.cls.qualifiedName : rawConfig.className,
    info: typeof info === 'string' ? info : info === undefined ? '' : formatPickleValue(info),
    kind,
  };
}
