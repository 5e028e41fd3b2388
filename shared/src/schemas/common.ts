/**
 * Building blocks every request schema shares: languages, audio formats, voice ids, text fields.
 * @module
 */
import { z } from 'zod';

/**
 * GPT-SoVITS v2 `text_lang` / `prompt_lang` values (api_v2.py, TTS_Config.languages).
 * `auto` detects zh/ja/ko/en runs; `all_*` treat the whole text as that language; `auto_yue` is `auto` with
 * Cantonese in place of Mandarin.
 */
export const TEXT_LANGUAGES = [
  'auto',
  'auto_yue',
  'zh',
  'en',
  'ja',
  'ko',
  'yue',
  'all_zh',
  'all_ja',
  'all_ko',
  'all_yue',
] as const;
export const textLanguageSchema = z.enum(TEXT_LANGUAGES);
export type TextLanguage = z.infer<typeof textLanguageSchema>;

/** Output encodings, named as OpenAI's `response_format` names them. `pcm` is raw signed 16-bit little-endian mono. */
export const AUDIO_FORMATS = ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const;
export const audioFormatSchema = z.enum(AUDIO_FORMATS);
export type AudioFormat = z.infer<typeof audioFormatSchema>;

/** GPT-SoVITS's text segmentation methods (text_segmentation_method.py); cut0 does not split. */
export const TEXT_SPLIT_METHODS = ['cut0', 'cut1', 'cut2', 'cut3', 'cut4', 'cut5'] as const;
export const textSplitMethodSchema = z.enum(TEXT_SPLIT_METHODS);
export type TextSplitMethod = z.infer<typeof textSplitMethodSchema>;

/** Default bound on synthesized text, in Unicode code points. Both services take the real bound from configuration. */
export const DEFAULT_MAX_INPUT_CHARS = 4096;

/**
 * Voice and model-bundle ids are operator-chosen slugs: they appear in URLs, R2 keys and log lines, so they are
 * restricted to characters that need no escaping anywhere.
 */
export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const idSchema = z
  .string()
  .regex(ID_PATTERN, 'must be 1-64 characters of a-z, 0-9, ".", "_" or "-", starting with a letter or digit');

/** Lower-case hex SHA-256, used for content versions and bundle hashes. */
export const sha256HexSchema = z.string().regex(/^[0-9a-f]{64}$/, 'must be a lower-case hex SHA-256 digest');

/** Counts Unicode code points, which is what users and invoices call characters (not UTF-16 units). */
export function countCharacters(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

/**
 * Text to synthesize. Lone surrogates are refused here because they cannot be encoded as UTF-8 and would make the
 * synthesis key ambiguous; control characters other than tab and line breaks are refused because no frontend can
 * speak them and they are a common sign of binary data pasted by mistake.
 */
export function synthesisTextSchema(maxChars: number) {
  return z
    .string()
    .refine((text) => text.trim().length > 0, 'must contain some text to speak')
    .refine((text) => text.isWellFormed(), 'must be valid Unicode (it contains a lone surrogate)')
    .refine(
      // eslint-disable-next-line no-control-regex -- the point of the rule is to find control characters
      (text) => !/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(text),
      'must not contain control characters other than tab and line breaks',
    )
    .refine((text) => countCharacters(text) <= maxChars, `must be at most ${String(maxChars)} characters long`);
}

/** Playback speed, the same range for OpenAI's `speed` and GPT-SoVITS's `speed_factor`. */
export const speedSchema = z.number().min(0.25).max(4);
