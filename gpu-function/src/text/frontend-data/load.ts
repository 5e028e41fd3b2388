/**
 * Run time: loads the frontend data a bundle carries (see catalog.ts) after checking each file against the SHA-256
 * its manifest lists, and says which data sets are missing. Without a bundle, or for a bundle built without
 * `--gpt-sovits-dir`, everything is missing and the frontend runs on npm data.
 * @module
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readBundleManifest, type BundleManifest } from '../../models/bundle/manifest.ts';
import { loadG2pEnWeights } from '../en/g2p-en-gru.ts';
import { withoutDeletedAcronyms } from '../en/cmudict.ts';
import { parseG2pEnHomographs, withGptSovitsOverrides } from '../en/homographs.ts';
import type { EnglishLexiconData } from '../en/lexicon.ts';
import { g2pEnOov, type OovPredictor } from '../en/oov.ts';
import { createPerceptronTagger, type PosTagger } from '../en/perceptron-tagger.ts';
import { createWordSegmenter, parseWordsegmentCounts, WORDSEGMENT_TOTAL, type WordSegmenter } from '../en/word-segment.ts';
import { charConvertTable, type ToSimplified } from '../normalize/char-convert.ts';
import type { PinyinSource } from '../zh/pinyin-source.ts';
import { createPossegTagger } from '../zh/posseg/tagger.ts';
import type { ZhPosTagger } from '../zh/segmenter.ts';
import { checkPhrasesDict, checkPinyinDict } from '../zh/pypinyin-files.ts';
import { createPypinyinSource } from '../zh/pypinyin-source.ts';
import { EMPTY_ZH_WORD_LISTS, type ZhWordLists } from '../zh/word-lists.ts';
import { FRONTEND_DATA_IDS, type FrontendDataId } from './catalog.ts';
import { decodePronunciations, decodeWordLists } from './formats.ts';
import { ERHUA_LISTS, TONE_SANDHI_LISTS } from './gpt-sovits-text.ts';
import { decodePossegHmm } from './jieba-posseg.ts';
import { decodePerceptronTagger } from './nltk-tagger.ts';
import { withUserDictionary } from './ja-userdic.ts';
import { openJtalkDictionary } from './open-jtalk-dic.ts';
import type { MecabDictionary } from '../ja/mecab/index.ts';
import type { MissingFrontendData } from './manifest-section.ts';

export interface FrontendData {
  readonly zh: {
    readonly pinyinSource?: PinyinSource;
    readonly wordLists: ZhWordLists;
    readonly tagWords?: ZhPosTagger;
    readonly toSimplified?: ToSimplified;
  };
  readonly en: {
    readonly lexicon: EnglishLexiconData;
    readonly oov?: OovPredictor;
    readonly posTagger?: PosTagger;
    readonly wordSegmenter?: WordSegmenter;
  };
  readonly ja: {
    /** pyopenjtalk's MeCab dictionary (with GPT-SoVITS's user dictionary compiled in, when the bundle has it); without it Japanese is refused. */
    readonly mecab?: MecabDictionary;
  };
  /** The data sets in use. */
  readonly loaded: readonly FrontendDataId[];
  /** The data sets not available, with the reason; npm data (or nothing) stands in for them. */
  readonly missing: readonly MissingFrontendData[];
}

const allMissing = (reason: string): MissingFrontendData[] => FRONTEND_DATA_IDS.map((id) => ({ id, reason }));

/** No bundle: npm data only. */
export const NPM_ONLY_FRONTEND_DATA: FrontendData = {
  zh: { wordLists: EMPTY_ZH_WORD_LISTS },
  en: { lexicon: {} },
  ja: {},
  loaded: [],
  missing: allMissing('no bundle frontend data in use'),
};

interface Mutable {
  zh: { -readonly [K in keyof FrontendData['zh']]: FrontendData['zh'][K] };
  lexicon: { -readonly [K in keyof EnglishLexiconData]: EnglishLexiconData[K] };
  en: { oov?: OovPredictor; posTagger?: PosTagger; wordSegmenter?: WordSegmenter };
  ja: { mecab?: MecabDictionary };
}

interface VerifiedFile {
  /** Absolute path, for messages and for readers that need the file itself. */
  readonly path: string;
  readonly text: string;
}

/** The binary data sets: the g2p_en checkpoint (read from its path) and pyopenjtalk's dictionary (from its bytes). */
type BinaryDataId = 'en-g2p-en-checkpoint' | 'ja-open-jtalk-dic' | 'ja-userdic';

/** Data sets read from their text. */
const TEXT_LOADERS: Readonly<Record<Exclude<FrontendDataId, BinaryDataId>, (files: readonly VerifiedFile[], into: Mutable) => void>> = {
  'zh-tone-sandhi-words'([file], into) {
    const lists = decodeWordLists(file?.text ?? '', file?.path ?? '', TONE_SANDHI_LISTS);
    into.zh.wordLists = { ...into.zh.wordLists, mustNeutralTone: lists.must_neural_tone_words, mustNotNeutralTone: lists.must_not_neural_tone_words };
  },
  'zh-erhua-words'([file], into) {
    const lists = decodeWordLists(file?.text ?? '', file?.path ?? '', ERHUA_LISTS);
    into.zh.wordLists = { ...into.zh.wordLists, mustErhua: lists.must_erhua, notErhua: lists.not_erhua };
  },
  'zh-pypinyin'([pinyin, phrases], into) {
    const json = (file: VerifiedFile | undefined): unknown => decodeJson(file?.text ?? '', file?.path ?? '');
    into.zh.pinyinSource = createPypinyinSource({
      pinyinDict: checkPinyinDict(json(pinyin), pinyin?.path ?? ''),
      phrasesDict: checkPhrasesDict(json(phrases), phrases?.path ?? ''),
    });
  },
  'zh-char-convert'([file], into) {
    const value = decodeJson(file?.text ?? '', file?.path ?? '');
    const { simplified, traditional } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
    if (typeof simplified !== 'string' || typeof traditional !== 'string') throw new Error(`${file?.path ?? ''}: expected {"simplified": "...", "traditional": "..."}`);
    into.zh.toSimplified = charConvertTable(simplified, traditional, file?.path);
  },
  'zh-posseg-hmm'([file], into) {
    into.zh.tagWords = createPossegTagger(decodePossegHmm(file?.text ?? '', file?.path ?? ''));
  },
  'en-wordsegment'([unigrams, bigrams], into) {
    into.en.wordSegmenter = createWordSegmenter({
      unigrams: parseWordsegmentCounts(unigrams?.text ?? '', unigrams?.path ?? ''),
      bigrams: parseWordsegmentCounts(bigrams?.text ?? '', bigrams?.path ?? ''),
      total: WORDSEGMENT_TOTAL,
    });
  },
  'en-pos-tagger'([file], into) {
    into.en.posTagger = createPerceptronTagger(decodePerceptronTagger(file?.text ?? '', file?.path ?? ''));
  },
  'en-dictionary'([file], into) {
    into.lexicon.dictionary = withoutDeletedAcronyms(decodePronunciations(file?.text ?? '', file?.path ?? ''));
  },
  'en-names'([file], into) {
    into.lexicon.names = decodePronunciations(file?.text ?? '', file?.path ?? '');
  },
  'en-homographs'([file], into) {
    into.lexicon.homographs = withGptSovitsOverrides(parseG2pEnHomographs(file?.text ?? '', file?.path ?? ''));
  },
};

function decodeJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** Reads a frontend-data file and checks it against the SHA-256 the manifest lists for it. */
/** The parts of a manifest the frontend data needs. */
export type FrontendManifestView = Pick<BundleManifest, 'files' | 'frontend'>;

async function verifiedFile(bundleDir: string, manifest: FrontendManifestView, path: string): Promise<{ path: string; bytes: Buffer }> {
  const listed = manifest.files.find((file) => file.path === path && file.role === 'frontend-data');
  const absolute = join(bundleDir, path);
  if (listed === undefined) throw new Error(`${absolute}: not listed in the bundle's manifest`);
  const bytes = await readFile(absolute).catch((error: unknown) => {
    throw new Error(`${absolute}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
  });
  if (createHash('sha256').update(bytes).digest('hex') !== listed.sha256) {
    throw new Error(`${absolute}: SHA-256 does not match the bundle's manifest (the file was changed or damaged)`);
  }
  return { path: absolute, bytes };
}

/** The frontend data of the bundle at `bundleDir` (its manifest is read unless given). */
export async function loadFrontendData(bundleDir: string, manifest?: FrontendManifestView): Promise<FrontendData> {
  const checked = manifest ?? (await readBundleManifest(bundleDir));
  const section = checked.frontend;
  if (section === null) return { ...NPM_ONLY_FRONTEND_DATA, missing: allMissing('the bundle was built without --gpt-sovits-dir') };
  const into: Mutable = { zh: { wordLists: EMPTY_ZH_WORD_LISTS }, lexicon: {}, en: {}, ja: {} };
  let userDictionary: readonly { path: string; bytes: Buffer }[] | undefined;
  for (const entry of section.data) {
    const files = [];
    for (const path of entry.files) files.push(await verifiedFile(bundleDir, checked, path));
    if (entry.id === 'en-g2p-en-checkpoint') into.en.oov = g2pEnOov(await loadG2pEnWeights(files[0]?.path ?? ''));
    else if (entry.id === 'ja-open-jtalk-dic') into.ja.mecab = openJtalkDictionary(files);
    else if (entry.id === 'ja-userdic') userDictionary = files;
    else TEXT_LOADERS[entry.id](files.map(({ path, bytes }) => ({ path, text: bytes.toString('utf8') })), into);
  }
  // Compiled against the system dictionary, so after it whatever the manifest's order; without that dictionary
  // Japanese is refused and the user dictionary has nothing to add to.
  if (userDictionary !== undefined && into.ja.mecab !== undefined) into.ja.mecab = withUserDictionary(into.ja.mecab, userDictionary);
  const recorded = new Set([...section.data, ...section.missing].map((item) => item.id));
  const unrecorded = FRONTEND_DATA_IDS.filter((id) => !recorded.has(id)).map((id) => ({ id, reason: 'not recorded in this bundle (made by an older gsv-edge)' }));
  return {
    zh: into.zh,
    en: { lexicon: into.lexicon, ...into.en },
    ja: into.ja,
    loaded: section.data.map((entry) => entry.id),
    missing: [...section.missing, ...unrecorded],
  };
}
