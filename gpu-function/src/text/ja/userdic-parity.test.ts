/**
 * Parity with GPT-SoVITS's Japanese user dictionary (japanese.py compiles `ja_userdic/userdict.csv` with
 * `pyopenjtalk.mecab_dict_index` and reads with it) over the genuine pyopenjtalk 0.4.1. GPT-SoVITS's own 17 MB CSV was
 * not available, so the fixture's CSV (test/fixtures/ja-userdic/userdict.csv, written by
 * scripts/parity/make-ja-userdic-fixtures.py) is gsv-edge's own in that format. gsv-edge compiles it with the
 * dictionary folder's .def files: the bytes must be the user.dict pyopenjtalk wrote, and with it the NJD words of every
 * piece and the phones and ids of every sentence must be GPT-SoVITS's `clean_text(text, 'ja', 'v2')`. The dictionary
 * is not in the repository: GSV_JA_DIC names its folder (default: Debian's open-jtalk-mecab-naist-jdic). Without it,
 * or with a different dictionary than the fixture was made with, the test skips and says why.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanText } from '../cleaner.ts';
import { symbolIds } from '../symbols.ts';
import { createJaG2p } from './index.ts';
import { compileUserDictionary } from './mecab/compile/index.ts';
import { MecabDictionaryFile } from './mecab/dictionary-file.ts';
import { loadMecabDictionary, MecabAnalyser } from './mecab/index.ts';
import { runNjd } from './njd/index.ts';
import { fromRunFrontend, type RunFrontendWord } from './pyopenjtalk-words.ts';

const DIC = process.env['GSV_JA_DIC'] ?? '/var/lib/mecab/dic/open-jtalk/naist-jdic';
const FIXTURE = join(import.meta.dirname, '..', '..', '..', 'test', 'fixtures', 'ja-userdic');

interface Meta {
  readonly dictionary_sha256: Readonly<Record<string, string>>;
  readonly user_dict_sha256: string;
  readonly user_dict_bytes: number;
  readonly sentences: number;
}

interface Sentence {
  readonly text: string;
  readonly norm_text: string;
  readonly phones: readonly string[];
  readonly phone_ids: readonly number[];
  readonly pieces: readonly { readonly text: string; readonly njd: readonly RunFrontendWord[] }[];
}

const meta = JSON.parse(readFileSync(join(FIXTURE, 'meta.json'), 'utf8')) as Meta;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

function skipReason(): string | undefined {
  const names = Object.keys(meta.dictionary_sha256);
  const missing = names.filter((name) => !existsSync(join(DIC, name)));
  if (missing.length > 0) return `no OpenJTalk NAIST-JDIC at ${DIC} (${missing.join(', ')} missing): apt-get install open-jtalk-mecab-naist-jdic, or set GSV_JA_DIC`;
  const differing = names.filter((name) => sha256(readFileSync(join(DIC, name))) !== meta.dictionary_sha256[name]);
  if (differing.length > 0) return `${DIC} is not the dictionary the fixture was made with (${differing.join(', ')} differ)`;
  return undefined;
}

const reason = skipReason();
if (reason !== undefined) console.warn(`ja user-dictionary parity skipped: ${reason}`);

describe.skipIf(reason !== undefined)("Japanese user dictionary: gsv-edge's compiling and reading against pyopenjtalk 0.4.1 and GPT-SoVITS clean_text", () => {
  const definition = (name: string): string => readFileSync(join(DIC, name), 'utf8');

  async function compiled(): Promise<{ bytes: Uint8Array; analyser: MecabAnalyser; ja: ReturnType<typeof createJaG2p>; withoutUserDictionary: ReturnType<typeof createJaG2p> }> {
    const system = await loadMecabDictionary(DIC);
    const bytes = compileUserDictionary(readFileSync(join(FIXTURE, 'userdict.csv')), system, {
      rewrite: definition('rewrite.def'),
      leftId: definition('left-id.def'),
      rightId: definition('right-id.def'),
      posId: definition('pos-id.def'),
    });
    const mecab = { ...system, users: [new MecabDictionaryFile(bytes, 'userdict.csv (compiled)')] };
    return { bytes, analyser: new MecabAnalyser(mecab), ja: createJaG2p({ mecab }), withoutUserDictionary: createJaG2p({ mecab: system }) };
  }

  it('compiles the CSV into the very bytes pyopenjtalk.mecab_dict_index wrote', async () => {
    const { bytes } = await compiled();
    expect(bytes.length).toBe(meta.user_dict_bytes);
    expect(sha256(bytes)).toBe(meta.user_dict_sha256);
  });

  it('reads every sentence as GPT-SoVITS does with the dictionary: NJD words per piece, phones and ids', async () => {
    const { analyser, ja, withoutUserDictionary } = await compiled();
    const { sentences } = JSON.parse(readFileSync(join(FIXTURE, 'expected.json'), 'utf8')) as { sentences: Sentence[] };
    expect(sentences.length).toBe(meta.sentences);
    let identical = 0;
    for (const sentence of sentences) {
      for (const piece of sentence.pieces) expect(runNjd(piece.text, analyser), `${sentence.text}: piece ${piece.text}`).toEqual(piece.njd.map(fromRunFrontend));
      const { normText, phones } = cleanText(sentence.text, 'ja', 'v2', { ja });
      expect({ normText, phones, ids: Array.from(symbolIds('v2', phones)) }, sentence.text).toEqual({ normText: sentence.norm_text, phones: sentence.phones, ids: sentence.phone_ids });
      identical += 1;
    }
    // The fixture is worth its name only if the dictionary changes the reading of most sentences.
    const changed = sentences.filter((sentence) => cleanText(sentence.text, 'ja', 'v2', { ja: withoutUserDictionary }).phones.join(' ') !== sentence.phones.join(' ')).length;
    expect(changed).toBeGreaterThanOrEqual(sentences.length - 2);
    console.info(`ja user-dictionary parity: ${String(identical)}/${String(sentences.length)} sentences identical (NJD words, phones, ids); ${String(changed)} read otherwise without the user dictionary`);
  });
});
