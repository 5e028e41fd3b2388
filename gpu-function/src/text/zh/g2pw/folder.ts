/**
 * The user's G2PW model folder (GPT-SoVITS's `GPT_SoVITS/text/G2PWModel`, from `G2PWModel_1.1.zip`): which files it
 * must hold, and the list the bundle command copies. Nothing of it is shipped or downloaded.
 *
 * GPT-SoVITS's post-fix dictionaries (`text/g2pw/polyphonic.rep`, `polyphonic-fix.rep`) live in its source tree, not
 * in the model zip; a user who copies them into the same folder gets GPT-SoVITS's `correct_pronunciation` too.
 * @module
 */
import { access, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Files `G2PWOnnxConverter` reads, besides the ONNX model. */
export const G2PW_REQUIRED_FILES = [
  'config.py',
  'POLYPHONIC_CHARS.txt',
  'MONOPHONIC_CHARS.txt',
  'bopomofo_to_pinyin_wo_tune_dict.json',
  'char_bopomofo_dict.json',
] as const;

/** The model under either of the names GPT-SoVITS accepts. */
export const G2PW_MODEL_NAMES = ['g2pW.onnx', 'g2pw.onnx'] as const;

/** GPT-SoVITS's polyphone post-fix dictionaries, used when present. */
export const G2PW_OPTIONAL_FILES = ['polyphonic.rep', 'polyphonic-fix.rep'] as const;

export interface G2pwFolder {
  readonly dir: string;
  /** The ONNX model's file name inside `dir`. */
  readonly model: string;
  /** Every file the bundle must copy (model, required and present optional files), names relative to `dir`. */
  readonly files: readonly string[];
}

const exists = async (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/** Checks a G2PW folder and lists what to copy; the error names every missing file. */
export async function inspectG2pwFolder(dir: string): Promise<G2pwFolder> {
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) throw new Error(`G2PW folder ${dir} does not exist or is not a directory`);
  const names = new Set(await readdir(dir));
  const model = G2PW_MODEL_NAMES.find((name) => names.has(name));
  const missing: string[] = G2PW_REQUIRED_FILES.filter((name) => !names.has(name));
  if (model === undefined) missing.unshift('g2pW.onnx');
  if (missing.length > 0 || model === undefined) throw new Error(`G2PW folder ${dir} is missing ${missing.join(', ')}`);
  const optional: string[] = [];
  for (const name of G2PW_OPTIONAL_FILES) if (await exists(join(dir, name))) optional.push(name);
  return { dir, model, files: [model, ...G2PW_REQUIRED_FILES, ...optional] };
}
