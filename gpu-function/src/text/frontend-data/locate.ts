/**
 * Where a user's GPT-SoVITS installation keeps the frontend's data: its `GPT_SoVITS/text` folder, the Python
 * packages it runs with (pypinyin, g2p_en, jieba_fast, wordsegment) in a site-packages folder (the one the user
 * names, or one found next to the install: `runtime/Lib/site-packages` of the Windows packages, or a `.venv` /
 * `venv` / `env` virtual environment), and NLTK's data folders.
 * @module
 */
import { readdir, stat } from 'node:fs/promises';
import { delimiter, join, relative, resolve, sep } from 'node:path';

export interface SourceRoot {
  readonly origin: 'gpt-sovits' | 'site-packages' | 'nltk-data';
  /** Absolute folder the origin's relative paths start from. */
  readonly dir: string;
}

const isDirectory = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
export const isFile = async (path: string): Promise<boolean> => (await stat(path).catch(() => undefined))?.isFile() ?? false;

/** The text folder of a GPT-SoVITS checkout given as the repository, its `GPT_SoVITS` folder, or the text folder. */
export async function findTextFolder(gptSovitsDir: string): Promise<string> {
  const root = resolve(gptSovitsDir);
  if (!(await isDirectory(root))) throw new Error(`--gpt-sovits-dir ${gptSovitsDir} does not exist or is not a directory`);
  for (const candidate of [join(root, 'GPT_SoVITS', 'text'), join(root, 'text'), root]) {
    if (await isFile(join(candidate, 'tone_sandhi.py'))) return candidate;
  }
  throw new Error(`${gptSovitsDir} does not look like a GPT-SoVITS installation: no GPT_SoVITS/text/tone_sandhi.py in it`);
}

/** `lib/python3.*` folders (POSIX layouts) under `dir`. */
async function pythonLibs(dir: string): Promise<string[]> {
  const lib = join(dir, 'lib');
  if (!(await isDirectory(lib))) return [];
  return (await readdir(lib)).filter((name) => /^python3(\.\d+)?$/u.test(name)).sort().map((name) => join(lib, name, 'site-packages'));
}

/**
 * Site-packages folders to search, in order: the ones the user named (each must exist), then those found inside
 * the GPT-SoVITS folder.
 */
export async function sitePackagesFolders(named: readonly string[], gptSovitsDir: string | undefined): Promise<string[]> {
  const folders: string[] = [];
  for (const dir of named) {
    if (!(await isDirectory(dir))) throw new Error(`--python-site-packages ${dir} does not exist or is not a directory`);
    folders.push(resolve(dir));
  }
  if (gptSovitsDir !== undefined) {
    const root = resolve(gptSovitsDir);
    const candidates: string[] = [];
    for (const env of ['runtime', '.venv', 'venv', 'env']) {
      candidates.push(join(root, env, 'Lib', 'site-packages'), ...(await pythonLibs(join(root, env))));
    }
    for (const candidate of candidates) if (await isDirectory(candidate)) folders.push(candidate);
  }
  return [...new Set(folders)];
}

/** The first site-packages folder holding `file` (e.g. `g2p_en/homographs.en`), with the file's path. */
export async function findInSitePackages(folders: readonly string[], file: string): Promise<{ root: SourceRoot; path: string } | undefined> {
  for (const dir of folders) {
    const path = join(dir, file);
    if (await isFile(path)) return { root: { origin: 'site-packages', dir }, path };
  }
  return undefined;
}

/** A package folder (e.g. `pypinyin`) in the first site-packages folder that has it. */
export async function findPackage(folders: readonly string[], name: string): Promise<{ root: SourceRoot; path: string } | undefined> {
  for (const dir of folders) {
    const path = join(dir, name);
    if (await isDirectory(path)) return { root: { origin: 'site-packages', dir }, path };
  }
  return undefined;
}

/** `path` relative to its root, with forward slashes, as the manifest records it. */
export function relativeSource(root: SourceRoot, path: string): string {
  return relative(root.dir, path).split(sep).join('/');
}

/** Where NLTK looks besides the user's folders: `NLTK_DATA` and the home folder, from the environment by default. */
export interface NltkEnvironment {
  /** `NLTK_DATA`: folders separated by the platform's path delimiter. */
  readonly nltkData?: string | undefined;
  readonly home?: string | undefined;
}

/** NLTK's own fixed search folders on POSIX systems. */
const SYSTEM_NLTK_DATA = ['/usr/share/nltk_data', '/usr/local/share/nltk_data', '/usr/lib/nltk_data', '/usr/local/lib/nltk_data'];

/**
 * NLTK data folders to search, in order: the ones the user named (each must exist), those inside the GPT-SoVITS
 * install (`nltk_data`, and `nltk_data`, `share/nltk_data`, `lib/nltk_data` under its Python environment: NLTK's
 * `sys.prefix` folders, where the Windows packages keep theirs), then `NLTK_DATA`, `~/nltk_data` and NLTK's system
 * folders. The install's own come before the user-wide ones so a bundle takes what that install runs with.
 */
export async function nltkDataFolders(named: readonly string[], gptSovitsDir: string | undefined, environment: NltkEnvironment): Promise<string[]> {
  const folders: string[] = [];
  for (const dir of named) {
    if (!(await isDirectory(dir))) throw new Error(`--nltk-data ${dir} does not exist or is not a directory`);
    folders.push(resolve(dir));
  }
  const candidates: string[] = [];
  if (gptSovitsDir !== undefined) {
    const root = resolve(gptSovitsDir);
    candidates.push(join(root, 'nltk_data'));
    for (const env of ['runtime', '.venv', 'venv', 'env']) candidates.push(...['nltk_data', 'share/nltk_data', 'lib/nltk_data'].map((sub) => join(root, env, sub)));
  }
  candidates.push(...(environment.nltkData ?? '').split(delimiter).filter((dir) => dir !== ''));
  if (environment.home !== undefined) candidates.push(join(environment.home, 'nltk_data'));
  candidates.push(...SYSTEM_NLTK_DATA);
  for (const candidate of candidates) if (await isDirectory(candidate)) folders.push(resolve(candidate));
  return [...new Set(folders)];
}

/** The first folder (in order) holding every one of `files`, with their paths. */
export async function findInFolders(
  folders: readonly string[],
  origin: SourceRoot['origin'],
  files: readonly string[],
): Promise<{ root: SourceRoot; paths: string[] } | undefined> {
  for (const dir of folders) {
    const paths = files.map((file) => join(dir, file));
    let all = true;
    for (const path of paths) all &&= await isFile(path);
    if (all) return { root: { origin, dir }, paths };
  }
  return undefined;
}
