/**
 * Writes the Japanese MeCab parity fixture (gpu-function/test/fixtures/ja-mecab/) with the genuine MeCab: Debian's
 * `mecab` 0.996 over the NAIST-JDIC that OpenJTalk 1.11 uses (Debian's open-jtalk-mecab-naist-jdic, the same
 * dictionary pyopenjtalk ships as `open_jtalk_dic_utf_8-1.11`), with OpenJTalk's settings.
 *
 * Sentences: the ITA corpus (all 424, public domain) and every 23rd sentence of the ROHAN corpus (200 of 4600, CC0,
 * ruby readings removed), read from clones of github.com/mmorise/ita-corpus and github.com/mmorise/rohan4600 under
 * GSV_EDGE_MIRRORS (default /work/.mirror, `<owner>+<name>/repo` bare clones); plus the project's own edge cases
 * (edge-cases.txt beside the fixture: spaces, Latin, digits, symbols, emoji, long runs), kept apart from the count.
 *
 *   apt-get install mecab open-jtalk-mecab-naist-jdic
 *   npx node scripts/parity/make-ja-mecab-fixtures.ts [--dic /var/lib/mecab/dic/open-jtalk/naist-jdic]
 *
 * OpenJTalk reads no dicrc (its settings are compiled in), Debian's dictionary has none and the mecab command needs
 * one, so the dictionary's files are linked into a temporary folder beside a dicrc with OpenJTalk's two settings
 * that a dicrc must have. Output per sentence: each word's surface, feature, status (0 dictionary, 1 unknown) and
 * path cost (`%pc`), and the whole path's cost. Re-running it writes the same bytes.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const OUT = join(ROOT, 'gpu-function', 'test', 'fixtures', 'ja-mecab');
const MIRRORS = process.env['GSV_EDGE_MIRRORS'] ?? '/work/.mirror';
const ROHAN_STEP = 23;
/** OpenJTalk's compiled-in settings (mecab/src/param.cpp) that the mecab command insists on finding in a dicrc. */
const DICRC = 'cost-factor = 800\nbos-feature = BOS/EOS,*,*,*,*,*,*,*,*\n';
const FORMAT = '%m\\t%H\\t%s\\t%pc\\n';

interface Sentence {
  readonly source: string;
  readonly text: string;
}

function gitShow(repo: string, file: string): { text: string; commit: string } {
  const gitDir = join(MIRRORS, repo, 'repo');
  const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  return { text: execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${file}`], { encoding: 'utf8', maxBuffer: 64 << 20 }), commit };
}

/** `ID:text,reading` lines → the text. */
function transcript(text: string, prefix: string, keep: (index: number) => boolean, clean: (text: string) => string = (t) => t): Sentence[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((_, index) => keep(index))
    .map((line) => {
      const match = /^([^:]+):([^,]+),/u.exec(line.trim());
      if (match === null) throw new Error(`unexpected transcript line: ${line}`);
      return { source: `${prefix}/${match[1] ?? ''}`, text: clean(match[2] ?? '') };
    });
}

function runMecab(dic: string, lines: readonly string[]): string[][] {
  const folder = mkdtempSync(join(tmpdir(), 'ja-mecab-dic-'));
  try {
    for (const name of readdirSync(dic)) symlinkSync(join(dic, name), join(folder, name));
    writeFileSync(join(folder, 'dicrc'), DICRC);
    const output = execFileSync('mecab', ['-d', folder, '-F', FORMAT, '-U', FORMAT, '-E', 'EOS\\t%pc\\n'], {
      input: `${lines.join('\n')}\n`,
      encoding: 'utf8',
      maxBuffer: 256 << 20,
    });
    const sentences: string[][] = [[]];
    for (const line of output.split('\n').slice(0, -1)) {
      sentences.at(-1)?.push(line);
      if (line.startsWith('EOS\t')) sentences.push([]);
    }
    sentences.pop();
    if (sentences.length !== lines.length) throw new Error(`mecab printed ${sentences.length} sentences for ${lines.length} lines`);
    return sentences;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function record(sentence: Sentence, lines: readonly string[]): string {
  const eos = lines.at(-1)?.split('\t') ?? [];
  const morphemes = lines.slice(0, -1).map((line) => {
    const [surface = '', feature = '', stat = '', cost = ''] = line.split('\t');
    return [surface, feature, Number(stat), Number(cost)];
  });
  return JSON.stringify({ source: sentence.source, text: sentence.text, cost: Number(eos[1]), morphemes });
}

/** edge-cases.txt's escapes: `\\t` and `\\u{HEX}`. */
const unescape = (line: string): string =>
  line.replaceAll('\\t', '\t').replace(/\\u\{([0-9a-fA-F]+)\}/gu, (_, hex: string) => String.fromCodePoint(Number.parseInt(hex, 16)));

const sha256 = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

function main(): void {
  const { values } = parseArgs({ options: { dic: { type: 'string', default: '/var/lib/mecab/dic/open-jtalk/naist-jdic' } } });
  const dic = values.dic;
  const ita = ['emotion_transcript_utf8.txt', 'recitation_transcript_utf8.txt'].map((file) => gitShow('mmorise+ita-corpus', file));
  const rohan = gitShow('mmorise+rohan4600', 'Rohan4600_transcript_utf8.txt');
  const corpus: Sentence[] = [
    ...ita.flatMap((file) => transcript(file.text, 'ITA', () => true)),
    ...transcript(rohan.text, 'ROHAN', (index) => index % ROHAN_STEP === 0, (text) => text.replace(/\([ぁ-ゖー]+\)/gu, '')),
  ];
  const edge: Sentence[] = readFileSync(join(OUT, 'edge-cases.txt'), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((text, index) => ({ source: `edge/${index + 1}`, text: unescape(text) }));

  const version = execFileSync('mecab', ['--version'], { encoding: 'utf8' }).trim();
  const all = [...corpus, ...edge];
  const output = runMecab(dic, all.map((sentence) => sentence.text));
  const jsonl = all.map((sentence, index) => record(sentence, output[index] ?? [])).join('\n');
  writeFileSync(join(OUT, 'expected.jsonl.gz'), gzipSync(`${jsonl}\n`, { level: 9 }));
  const meta = {
    mecab: version,
    dictionary: Object.fromEntries(['sys.dic', 'unk.dic', 'matrix.bin', 'char.bin'].map((name) => [name, sha256(join(dic, name))])),
    sources: {
      ITA: { repository: 'mmorise/ita-corpus', commit: ita[0]?.commit, licence: 'public domain (Unlicense)', sentences: corpus.filter((s) => s.source.startsWith('ITA/')).length },
      ROHAN: {
        repository: 'mmorise/rohan4600',
        commit: rohan.commit,
        licence: 'CC0 1.0',
        selection: `one sentence in ${ROHAN_STEP} (ROHAN4600_0001, _0024, ...), ruby readings "(...)" removed`,
        sentences: corpus.filter((s) => s.source.startsWith('ROHAN/')).length,
      },
      edge: { file: 'edge-cases.txt', written: 'for gsv-edge', sentences: edge.length },
    },
  };
  writeFileSync(join(OUT, 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
  console.log(`${corpus.length} corpus sentences + ${edge.length} edge cases → ${join(OUT, 'expected.jsonl.gz')}`);
}

main();
