/**
 * Bundle time: finds each frontend data set in the user's GPT-SoVITS installation and Python packages, reads and
 * checks it completely, and writes it into the bundle's `frontend/` folder in the form catalog.ts describes. A
 * data set that is not there is recorded as missing with the reason; a file that is there but malformed fails the
 * bundle with an error naming the file.
 * @module
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { sha256File } from '../../checkpoint/sha256.ts';
import { loadG2pEnWeights } from '../en/g2p-en-gru.ts';
import { parseG2pEnHomographs } from '../en/homographs.ts';
import { readPypinyinFolder } from '../zh/pypinyin-files.ts';
import { FRONTEND_DATA_FILES, FRONTEND_DATA_IDS, type FrontendDataId } from './catalog.ts';
import { encodePronunciations, encodeWordLists } from './formats.ts';
import { applyHotWords, readCharConvert, readDictNew, readErhuaWords, readPickledPronunciations, readToneSandhiWords } from './gpt-sovits-text.ts';
import { parseWordsegmentCounts } from '../en/word-segment.ts';
import { encodePossegHmm, POSSEG_PACKAGES, readPossegFolder } from './jieba-posseg.ts';
import {
  findInFolders,
  findInSitePackages,
  findPackage,
  findTextFolder,
  isFile,
  nltkDataFolders,
  relativeSource,
  sitePackagesFolders,
  type NltkEnvironment,
  type SourceRoot,
} from './locate.ts';
import { encodePerceptronTagger, NLTK_TAGGER_JSON, NLTK_TAGGER_PICKLE, readTaggerJson, readTaggerPickle } from './nltk-tagger.ts';
import { checkUserDictionary, DICTIONARY_DEFINITION_FILES, JA_USERDIC_CSV } from './ja-userdic.ts';
import { OPEN_JTALK_DIC_DIR, OPEN_JTALK_DIC_FILES, readOpenJtalkDictionary } from './open-jtalk-dic.ts';
import type { FrontendDataEntry, FrontendManifest, MissingFrontendData } from './manifest-section.ts';

export interface FrontendDataOptions {
  /** The user's GPT-SoVITS folder (the repository, or a Windows package). */
  readonly gptSovitsDir?: string;
  /** site-packages folders of the Python environment GPT-SoVITS runs in, searched before those found in the install. */
  readonly sitePackages?: readonly string[];
  /** NLTK data folders (`--nltk-data`), searched before those found in the install and NLTK's usual places. */
  readonly nltkData?: readonly string[];
  /** `NLTK_DATA` and the home folder; the process's own by default. */
  readonly nltkEnvironment?: NltkEnvironment;
}

/** One file to write: its content, or the source file to copy verbatim. */
type Output = string | { readonly copyFrom: string };

interface Found {
  readonly sources: readonly { readonly root: SourceRoot; readonly path: string }[];
  /** One per bundle path of the data set, in catalog order. */
  readonly outputs: readonly Output[];
}

export interface CollectedFrontendData {
  readonly manifest: FrontendManifest;
  /** Writes the data into `bundleDir/frontend/`; resolves to the bundle paths written. */
  write(bundleDir: string): Promise<string[]>;
}

interface Context {
  readonly text: { readonly root: SourceRoot; readonly dir: string } | undefined;
  readonly sitePackages: readonly string[];
  readonly nltkData: readonly string[];
}

type Collector = (context: Context) => Promise<Found | string>;

const NO_GPT_SOVITS = 'no --gpt-sovits-dir given';

async function textFiles(context: Context, names: readonly string[]): Promise<{ root: SourceRoot; paths: string[] } | string> {
  if (context.text === undefined) return NO_GPT_SOVITS;
  const paths = names.map((name) => join(context.text?.dir ?? '', name));
  const missing: string[] = [];
  for (const [index, path] of paths.entries()) if (!(await isFile(path))) missing.push(names[index] ?? path);
  if (missing.length > 0) return `${missing.join(', ')} not found in ${relativeSource(context.text.root, context.text.dir) || '.'}`;
  return { root: context.text.root, paths };
}

function notInSitePackages(context: Context, what: string): string {
  if (context.sitePackages.length === 0) return `${what}: no Python site-packages folder found; pass --python-site-packages`;
  return `${what} not found in ${context.sitePackages.join(', ')}; pass --python-site-packages`;
}

const COLLECTORS: Readonly<Record<FrontendDataId, Collector>> = {
  async 'zh-tone-sandhi-words'(context) {
    const found = await textFiles(context, ['tone_sandhi.py']);
    if (typeof found === 'string') return found;
    const [file = ''] = found.paths;
    return { sources: [{ root: found.root, path: file }], outputs: [encodeWordLists(await readToneSandhiWords(file))] };
  },
  async 'zh-erhua-words'(context) {
    const found = await textFiles(context, ['chinese2.py']);
    if (typeof found === 'string') return `${found} (GPT-SoVITS v1 installs have no erhua rules)`;
    const [file = ''] = found.paths;
    return { sources: [{ root: found.root, path: file }], outputs: [encodeWordLists(await readErhuaWords(file))] };
  },
  async 'zh-pypinyin'(context) {
    const found = await findPackage(context.sitePackages, 'pypinyin');
    if (found === undefined) return notInSitePackages(context, 'pypinyin');
    const folder = readPypinyinFolder(found.path);
    const outputs: Output[] =
      folder.format === 'json'
        ? folder.files.map((file) => ({ copyFrom: file }))
        : [`${JSON.stringify(folder.dictionaries.pinyinDict)}\n`, `${JSON.stringify(folder.dictionaries.phrasesDict)}\n`];
    return { sources: folder.files.map((path) => ({ root: found.root, path })), outputs };
  },
  async 'zh-char-convert'(context) {
    const found = await textFiles(context, ['zh_normalization/char_convert.py']);
    if (typeof found === 'string') return found;
    const [file = ''] = found.paths;
    return { sources: [{ root: found.root, path: file }], outputs: [`${JSON.stringify(await readCharConvert(file))}\n`] };
  },
  async 'zh-posseg-hmm'(context) {
    for (const name of POSSEG_PACKAGES) {
      const found = await findPackage(context.sitePackages, name);
      if (found === undefined) continue;
      const { tables, files } = await readPossegFolder(found.path);
      return { sources: files.map((path) => ({ root: found.root, path })), outputs: [encodePossegHmm(tables)] };
    }
    return notInSitePackages(context, POSSEG_PACKAGES.join(' or '));
  },
  async 'en-dictionary'(context) {
    if (context.text !== undefined && (await isFile(join(context.text.dir, 'engdict_cache.pickle')))) {
      // english.py's get_dict() reads the cache whenever it exists, whatever the .rep files say.
      const found = await textFiles(context, ['engdict_cache.pickle', 'engdict-hot.rep']);
      if (typeof found === 'string') return found;
      const [cache = '', hot = ''] = found.paths;
      const entries: Map<string, readonly string[]> = await readPickledPronunciations(cache);
      applyHotWords(entries, await readFile(hot, 'utf8'));
      return { sources: found.paths.map((path) => ({ root: found.root, path })), outputs: [encodePronunciations(entries)] };
    }
    const found = await textFiles(context, ['cmudict.rep', 'cmudict-fast.rep', 'engdict-hot.rep']);
    if (typeof found === 'string') return found;
    const [cmudict = '', fast = '', hot = ''] = found.paths;
    const entries: Map<string, readonly string[]> = readDictNew(await readFile(cmudict, 'utf8'), cmudict, await readFile(fast, 'utf8'));
    applyHotWords(entries, await readFile(hot, 'utf8'));
    return { sources: found.paths.map((path) => ({ root: found.root, path })), outputs: [encodePronunciations(entries)] };
  },
  async 'en-names'(context) {
    const found = await textFiles(context, ['namedict_cache.pickle']);
    if (typeof found === 'string') return found;
    const [file = ''] = found.paths;
    return { sources: [{ root: found.root, path: file }], outputs: [encodePronunciations(await readPickledPronunciations(file))] };
  },
  async 'en-homographs'(context) {
    const found = await findInSitePackages(context.sitePackages, 'g2p_en/homographs.en');
    if (found === undefined) return notInSitePackages(context, 'g2p_en/homographs.en');
    parseG2pEnHomographs(await readFile(found.path, 'utf8'), found.path);
    return { sources: [found], outputs: [{ copyFrom: found.path }] };
  },
  async 'en-g2p-en-checkpoint'(context) {
    const found = await findInSitePackages(context.sitePackages, 'g2p_en/checkpoint20.npz');
    if (found === undefined) return notInSitePackages(context, 'g2p_en/checkpoint20.npz');
    await loadG2pEnWeights(found.path);
    return { sources: [found], outputs: [{ copyFrom: found.path }] };
  },
  async 'en-wordsegment'(context) {
    const found = await findInFolders(context.sitePackages, 'site-packages', WORDSEGMENT_FILES);
    if (found === undefined) return notInSitePackages(context, WORDSEGMENT_FILES.join(' + '));
    for (const path of found.paths) if (parseWordsegmentCounts(await readFile(path, 'utf8'), path).size === 0) throw new Error(`${path}: no counts in it`);
    return { sources: found.paths.map((path) => ({ root: found.root, path })), outputs: found.paths.map((path) => ({ copyFrom: path })) };
  },
  async 'en-pos-tagger'(context) {
    const json = await findInFolders(context.nltkData, 'nltk-data', NLTK_TAGGER_JSON);
    const pickled = json === undefined ? await findInFolders(context.nltkData, 'nltk-data', [NLTK_TAGGER_PICKLE]) : undefined;
    const found = json ?? pickled;
    if (found === undefined) {
      const where = context.nltkData.length === 0 ? 'no NLTK data folder found' : `not found in ${context.nltkData.join(', ')}`;
      return `averaged_perceptron_tagger: ${where}; pass --nltk-data (the folder nltk.download() filled)`;
    }
    const data = json !== undefined ? await readTaggerJson(json.paths) : await readTaggerPickle(found.paths[0] ?? '');
    return { sources: found.paths.map((path) => ({ root: found.root, path })), outputs: [encodePerceptronTagger(data)] };
  },
  async 'ja-open-jtalk-dic'(context) {
    const found = await findInFolders(context.sitePackages, 'site-packages', OPEN_JTALK_DIC_FILES);
    if (found === undefined) {
      // pyopenjtalk fetches its dictionary the first time it runs, so an install that never read Japanese has none.
      return `${notInSitePackages(context, OPEN_JTALK_DIC_DIR)} (pyopenjtalk downloads it the first time it reads Japanese)`;
    }
    await readOpenJtalkDictionary(found.paths);
    return { sources: found.paths.map((path) => ({ root: found.root, path })), outputs: found.paths.map((path) => ({ copyFrom: path })) };
  },
  async 'ja-userdic'(context) {
    // GPT-SoVITS reads Japanese without a user dictionary when the file is not there; so does gsv-edge.
    const csv = await textFiles(context, [JA_USERDIC_CSV]);
    if (typeof csv === 'string') return `${csv} (GPT-SoVITS reads Japanese without a user dictionary then)`;
    const dictionary = await findInFolders(context.sitePackages, 'site-packages', OPEN_JTALK_DIC_FILES);
    if (dictionary === undefined) return `${JA_USERDIC_CSV} is compiled against pyopenjtalk's dictionary, which was not found (see ja-open-jtalk-dic)`;
    const defs = await findInFolders([dictionary.root.dir], 'site-packages', DICTIONARY_DEFINITION_FILES);
    if (defs === undefined) {
      return `${JA_USERDIC_CSV} is compiled with ${DICTIONARY_DEFINITION_FILES.map((file) => basename(file)).join(', ')} from ${OPEN_JTALK_DIC_DIR}, which are not all in ${dictionary.root.dir}`;
    }
    const paths = [...csv.paths, ...defs.paths];
    await checkUserDictionary(await readOpenJtalkDictionary(dictionary.paths), paths);
    return {
      sources: [...csv.paths.map((path) => ({ root: csv.root, path })), ...defs.paths.map((path) => ({ root: defs.root, path }))],
      outputs: paths.map((path) => ({ copyFrom: path })),
    };
  },
};

const WORDSEGMENT_FILES = ['wordsegment/unigrams.txt', 'wordsegment/bigrams.txt'];

/** Reads everything the options point at; `undefined` when they point at nothing (npm data only). */
export async function collectFrontendData(options: FrontendDataOptions): Promise<CollectedFrontendData | undefined> {
  const named = options.sitePackages ?? [];
  const namedNltk = options.nltkData ?? [];
  if (options.gptSovitsDir === undefined && named.length === 0 && namedNltk.length === 0) return undefined;
  const text =
    options.gptSovitsDir === undefined
      ? undefined
      : { root: { origin: 'gpt-sovits', dir: resolve(options.gptSovitsDir) } as const, dir: await findTextFolder(options.gptSovitsDir) };
  const environment = options.nltkEnvironment ?? { nltkData: process.env['NLTK_DATA'], home: homedir() };
  const context: Context = {
    text,
    sitePackages: await sitePackagesFolders(named, options.gptSovitsDir),
    nltkData: await nltkDataFolders(namedNltk, options.gptSovitsDir, environment),
  };
  const data: FrontendDataEntry[] = [];
  const missing: MissingFrontendData[] = [];
  const outputs: [string, Output][] = [];
  for (const id of FRONTEND_DATA_IDS) {
    const found = await COLLECTORS[id](context);
    if (typeof found === 'string') {
      missing.push({ id, reason: found });
      continue;
    }
    const files = FRONTEND_DATA_FILES[id];
    files.forEach((file, index) => {
      const output = found.outputs[index];
      if (output === undefined) throw new Error(`internal: ${id} produced no ${file}`);
      outputs.push([file, output]);
    });
    const sources = [];
    for (const { root, path } of found.sources) sources.push({ origin: root.origin, path: relativeSource(root, path), sha256: await sha256File(path) });
    data.push({ id, files: [...files], sources });
  }
  return {
    manifest: { data, missing },
    async write(bundleDir) {
      for (const [file, output] of outputs) {
        const target = join(bundleDir, file);
        await mkdir(dirname(target), { recursive: true });
        if (typeof output === 'string') await writeFile(target, output);
        else await copyFile(output.copyFrom, target);
      }
      return outputs.map(([file]) => file);
    },
  };
}
