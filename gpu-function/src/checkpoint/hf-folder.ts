/**
 * Hugging Face model folders as `save_pretrained` writes them: `config.json`, weights in `model.safetensors` or
 * `pytorch_model.bin` (or sharded behind an `*.index.json`), and `vocab.txt` for BERT tokenizers.
 * @module
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError, errorMessage } from './errors.ts';
import { PyDict, describePickleValue } from './pickle-values.ts';
import { isPlainObject, type PlainObject, type PlainValue } from './plain.ts';
import { openSafetensors } from './safetensors.ts';
import { LazyTensorStore, type LazyTensor } from './tensor-store.ts';
import { openTorchCheckpoint } from './torch-archive.ts';

export interface HfFolder {
  readonly dir: string;
  readonly config: PlainObject;
  /** The weights file (or shard index) the tensors come from. */
  readonly weightsFile: string;
  /** Tensors under their stored names (prefixes such as `bert.` kept). */
  readonly weights: LazyTensorStore;
  /** Every file the model is made of (config, weights, vocab), for hashing into a manifest. */
  readonly files: readonly string[];
}

async function exists(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

export async function readJson(file: string): Promise<PlainValue> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CheckpointError(file, `cannot read: ${errorMessage(error)}`, { cause: error });
  }
  try {
    return JSON.parse(text) as PlainValue;
  } catch (error) {
    throw new CheckpointError(file, `is not valid JSON: ${errorMessage(error)}`, { cause: error });
  }
}

/** A `pytorch_model.bin`: a bare state dict in a torch zip. */
export async function openTorchStateDict(file: string): Promise<LazyTensorStore> {
  const checkpoint = await openTorchCheckpoint(file);
  if (!(checkpoint.root instanceof PyDict)) {
    await checkpoint.close();
    throw new CheckpointError(file, `holds a ${describePickleValue(checkpoint.root)}, expected a state dict of tensors`);
  }
  try {
    return checkpoint.stateDict(checkpoint.root);
  } catch (error) {
    await checkpoint.close();
    throw error;
  }
}

async function openWeightsFile(file: string): Promise<LazyTensorStore> {
  return file.endsWith('.safetensors') ? openSafetensors(file) : openTorchStateDict(file);
}

async function openSharded(dir: string, index: string): Promise<{ store: LazyTensorStore; files: string[] }> {
  const parsed = await readJson(index);
  const map = isPlainObject(parsed) ? parsed.weight_map : undefined;
  if (!isPlainObject(map)) throw new CheckpointError(index, "has no 'weight_map' object");
  const shardNames = [...new Set(Object.values(map).map((shard) => (typeof shard === 'string' ? shard : JSON.stringify(shard))))];
  const shards = new Map<string, LazyTensorStore>();
  try {
    for (const shard of shardNames) shards.set(shard, await openWeightsFile(join(dir, shard)));
  } catch (error) {
    await Promise.all([...shards.values()].map((store) => store.close()));
    throw error;
  }
  const tensors = new Map<string, LazyTensor>();
  for (const [name, shard] of Object.entries(map)) {
    const shardName = typeof shard === 'string' ? shard : JSON.stringify(shard);
    const store = shards.get(shardName);
    const lazy = store?.lazy(name);
    if (store === undefined || lazy === undefined) throw new CheckpointError(index, `maps to shard '${shardName}', which does not hold it`, { tensor: name });
    tensors.set(name, { info: lazy.info, load: () => store.read(name) });
  }
  const store = new LazyTensorStore(index, tensors, async () => { await Promise.all([...shards.values()].map((s) => s.close())); });
  return { store, files: [index, ...shardNames.map((shard) => join(dir, shard))] };
}

const WEIGHT_FILES = ['model.safetensors', 'pytorch_model.bin'];
const INDEX_FILES = ['model.safetensors.index.json', 'pytorch_model.bin.index.json'];

/** Opens a Hugging Face model folder: parsed config.json plus a lazy store over its weights. */
export async function openHfFolder(dir: string): Promise<HfFolder> {
  const configFile = join(dir, 'config.json');
  if (!(await exists(configFile))) throw new CheckpointError(dir, 'has no config.json; not a Hugging Face model folder');
  const config = await readJson(configFile);
  if (!isPlainObject(config)) throw new CheckpointError(configFile, 'is not a JSON object');
  for (const name of WEIGHT_FILES) {
    const file = join(dir, name);
    if (await exists(file)) return { dir, config, weightsFile: file, weights: await openWeightsFile(file), files: [configFile, file] };
  }
  for (const name of INDEX_FILES) {
    const index = join(dir, name);
    if (await exists(index)) {
      const { store, files } = await openSharded(dir, index);
      return { dir, config, weightsFile: index, weights: store, files: [configFile, ...files] };
    }
  }
  throw new CheckpointError(dir, `has no weights (${[...WEIGHT_FILES, ...INDEX_FILES].join(', ')})`);
}

/** vocab.txt: one token per line, line number = id. */
export async function readVocab(file: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CheckpointError(file, `cannot read: ${errorMessage(error)}`, { cause: error });
  }
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  if (lines.at(-1) === '') lines.pop();
  if (lines.length === 0) throw new CheckpointError(file, 'is empty');
  return lines;
}
