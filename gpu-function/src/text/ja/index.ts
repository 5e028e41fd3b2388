/**
 * Japanese (GPT-SoVITS's `japanese.py` over pyopenjtalk): MeCab over pyopenjtalk's dictionary (mecab/), OpenJTalk's
 * NJD rules (njd/, text → words with readings and accents), JPCommon's full-context labels (jpcommon/), then
 * japanese.py's prosody phones and post-processing (g2p.ts).
 *
 * The NJD stage is OpenJTalk's (njd/) over the bundle's dictionary unless a test supplies its own (`JaG2pOptions.njd`,
 * e.g. the words a fixture recorded from pyopenjtalk). A run is refused with `language_not_supported` when the bundle
 * has no dictionary: never read with other phones.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import type { G2pResult, LanguageG2p } from '../types.ts';
import { japanesePhones, type NjdFrontend } from './g2p.ts';
import { MecabAnalyser, type MecabDictionary } from './mecab/index.ts';
import { runNjd } from './njd/index.ts';
import { normalizeJapanese } from './normalize.ts';

export { japanesePhones, piecePhones, splitPieces, type NjdFrontend } from './g2p.ts';
export { makeFullContextLabels } from './jpcommon/index.ts';
export type { NjdNode } from './njd/node.ts';
export { normalizeJapanese } from './normalize.ts';
export { prosodyPhones } from './prosody.ts';

/** Makes pyopenjtalk's `run_frontend` (MeCab + NJD rules) over a dictionary. */
export type NjdFrontendFactory = (dictionary: MecabDictionary) => NjdFrontend;

export interface JaG2pOptions {
  /** pyopenjtalk's dictionary from the bundle. */
  readonly mecab?: MecabDictionary;
  /** Why the bundle has no dictionary (the manifest's reason), for the refusal. */
  readonly missingReason?: string;
  /** The NJD stage over the dictionary; OpenJTalk's rules (njd/) when left out. */
  readonly njd?: NjdFrontendFactory;
}

const ADD_DICTIONARY =
  'rebuild the bundle with `gsv-edge bundle ... --gpt-sovits-dir <your GPT-SoVITS>` (or `--python-site-packages <its site-packages>`) ' +
  "from an install whose pyopenjtalk has its dictionary (pyopenjtalk/open_jtalk_dic_utf_8-1.11; pyopenjtalk downloads it the first time it reads Japanese)";

function refusal(options: JaG2pOptions): string {
  const why = options.missingReason === undefined ? '' : ` (${options.missingReason})`;
  return `Japanese needs pyopenjtalk's OpenJTalk dictionary (open_jtalk_dic_utf_8-1.11), which this bundle lacks${why}: ${ADD_DICTIONARY}`;
}

/** pyopenjtalk's `run_frontend`: MeCab over the dictionary, then OpenJTalk's NJD rules. */
export const openJtalkNjd: NjdFrontendFactory = (dictionary) => {
  const analyser = new MecabAnalyser(dictionary);
  return (piece) => runNjd(piece, analyser);
};

/**
 * GPT-SoVITS's `clean_text(text, 'ja')` before the symbol check (the cleaner turns phones outside the table into
 * `UNK`). GPT-SoVITS has no word2ph for Japanese (None): each phone counts as its own unit here, which keeps the
 * sum the frontend checks; only Mandarin runs use word2ph (for BERT).
 */
export function convertJapanese(text: string, njd: NjdFrontend): G2pResult {
  const normText = normalizeJapanese(text);
  const phones = japanesePhones(normText, njd);
  return { normText, phones, word2ph: phones.map(() => 1) };
}

export function createJaG2p(options: JaG2pOptions): LanguageG2p {
  const { mecab, njd = openJtalkNjd } = options;
  if (mecab === undefined) {
    const message = refusal(options);
    return {
      language: 'ja',
      convert() {
        throw new ApiError('language_not_supported', message, { param: 'text_lang' });
      },
    };
  }
  // The analyser behind the NJD rules is built on first use: bundles that never read Japanese never pay for it.
  let frontend: NjdFrontend | undefined;
  return {
    language: 'ja',
    convert(text: string): G2pResult {
      frontend ??= njd(mecab);
      return convertJapanese(text, frontend);
    },
  };
}
