/**
 * Japanese (GPT-SoVITS's `japanese.py`: pyopenjtalk's full-context analysis and prosody-marked phones). What exists
 * so far is the first step, a MeCab-compatible analyser over pyopenjtalk's own dictionary (mecab/); OpenJTalk's NJD
 * rules and JPCommon labels, which turn its words into phones, do not exist yet. Until they do, every Japanese run is
 * refused with `language_not_supported`, saying what is missing: never read with other phones.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import type { LanguageG2p } from '../types.ts';
import type { MecabDictionary } from './mecab/index.ts';

export interface JaG2pOptions {
  /** pyopenjtalk's dictionary from the bundle. */
  readonly mecab?: MecabDictionary;
  /** Why the bundle has no dictionary (the manifest's reason), for the refusal. */
  readonly missingReason?: string;
}

const ADD_DICTIONARY =
  'rebuild the bundle with `gsv-edge bundle ... --gpt-sovits-dir <your GPT-SoVITS>` (or `--python-site-packages <its site-packages>`) ' +
  "from an install whose pyopenjtalk has its dictionary (pyopenjtalk/open_jtalk_dic_utf_8-1.11; pyopenjtalk downloads it the first time it reads Japanese)";

function refusal(options: JaG2pOptions): string {
  if (options.mecab === undefined) {
    const why = options.missingReason === undefined ? '' : ` (${options.missingReason})`;
    return `Japanese needs pyopenjtalk's OpenJTalk dictionary (open_jtalk_dic_utf_8-1.11), which this bundle lacks${why}: ${ADD_DICTIONARY}`;
  }
  return "Japanese is not supported yet: the bundle has pyopenjtalk's dictionary, but this server does not implement OpenJTalk's pronunciation and accent rules yet";
}

export function createJaG2p(options: JaG2pOptions): LanguageG2p {
  const message = refusal(options);
  return {
    language: 'ja',
    convert() {
      throw new ApiError('language_not_supported', message, { param: 'text_lang' });
    },
  };
}
