/**
 * NLTK's `TweetTokenizer().tokenize`, reduced to what can match normalized English text.
 *
 * GPT-SoVITS tokenizes *after* normalization, when only `[ A-Za-z'.,?!-]` is left, so the emoticon, URL-with-slash,
 * handle, hashtag, email, emoji and number alternatives of NLTK's pattern can never match. What remains, in NLTK's
 * order: naked domains (`hello.world`), words with inner apostrophes or hyphens, ellipses, plain words, and any other
 * single non-space character.
 * @module
 */

// The naked-domain guard also refuses to start inside a run of letters, which keeps long words linear.
const TOKEN = new RegExp(
  [
    String.raw`(?<![@a-z0-9])[a-z0-9]+(?:[.\-][a-z0-9]+)*[.](?:[a-z]{2,13})\b\/?(?!@)`,
    String.raw`[A-Za-z](?:[A-Za-z]|['\-_])+[A-Za-z]`,
    String.raw`\.(?:\s*\.)+`,
    String.raw`[\w_]+`,
    String.raw`\S`,
  ].join('|'),
  'giu',
);

/** NLTK shortens runs of 4+ identical non-alphanumeric characters to 3 before matching. */
const LONG_RUN = /([^a-zA-Z0-9])\1{3,}/gu;

export function tokenizeEnglish(text: string): string[] {
  return text.replace(LONG_RUN, '$1$1$1').match(TOKEN) ?? [];
}
