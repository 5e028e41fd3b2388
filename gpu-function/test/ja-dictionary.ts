/**
 * Test support for the Japanese parity tests: where the OpenJTalk NAIST-JDIC is (GSV_JA_DIC, default where Debian's open-jtalk-mecab-naist-jdic
 * puts it), and why a parity test that needs it must skip. The dictionary is the user's data and is not in the
 * repository; a fixture made with one dictionary says nothing about another, so its SHA-256 must match too. And
 * how their gzipped JSON-lines fixtures are read.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { MECAB_DICTIONARY_FILES } from '../src/text/ja/mecab/index.ts';

export const JA_DIC = process.env['GSV_JA_DIC'] ?? '/var/lib/mecab/dic/open-jtalk/naist-jdic';

/** Why the dictionary at JA_DIC cannot be used with a fixture made on files of these SHA-256s, or `undefined`. */
export function jaDictionarySkipReason(fixtureSha256: Readonly<Record<string, string>>): string | undefined {
  const missing = MECAB_DICTIONARY_FILES.filter((name) => !existsSync(join(JA_DIC, name)));
  if (missing.length > 0) {
    return `no OpenJTalk NAIST-JDIC at ${JA_DIC} (${missing.join(', ')} missing): apt-get install open-jtalk-mecab-naist-jdic, or set GSV_JA_DIC`;
  }
  const differing = MECAB_DICTIONARY_FILES.filter((name) => createHash('sha256').update(readFileSync(join(JA_DIC, name))).digest('hex') !== fixtureSha256[name]);
  if (differing.length > 0) return `${JA_DIC} is not the dictionary the fixture was made with (${differing.join(', ')} differ)`;
  return undefined;
}

/** One value per line of a gzipped JSON-lines fixture. */
export function readJsonLinesGz<T>(file: string): T[] {
  return gunzipSync(readFileSync(file))
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as T);
}
