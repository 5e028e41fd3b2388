/**
 * Compiles a user-dictionary CSV the way `mecab-dict-index -u` (MeCab 0.996's `Dictionary::compile`, OpenJTalk's
 * copy, which pyopenjtalk's `mecab_dict_index` runs) does, for the system dictionary it will be used with:
 *
 *   surface,left id,right id,cost,feature...
 *
 * The first four fields are numbers read with `atoi`, so `*` (as GPT-SoVITS's `ja_userdic/userdict.csv` writes its
 * ids) is context id 0. An empty or negative id is looked up from the feature through the system dictionary's
 * `rewrite.def` and `left-id.def`/`right-id.def`; every entry's POS id comes from its `pos-id.def`. An empty cost
 * needs a trained model (`model.bin`), which OpenJTalk's dictionary does not ship: OpenJTalk's MeCab crashes on one,
 * so here it is an error. Blank lines are skipped (OpenJTalk's MeCab discards them as empty words).
 * @module
 */
import type { MecabDictionary } from '../dictionary-folder.ts';
import { DictionaryRewriter, parseContextIds, PosIdGenerator } from './definitions.ts';
import { encodeMecabDictionary, type DictionaryEntry } from './dictionary-encoder.ts';
import { getLines, NOT_GIVEN, toInt, tokenizeCsv } from './mecab-text.ts';

/** The system dictionary folder's `.def` texts; each is read only when an entry needs it. */
export interface DictionaryDefinitions {
  readonly rewrite?: string;
  readonly leftId?: string;
  readonly rightId?: string;
  /** Without it every entry gets POS id 1, as MeCab does. */
  readonly posId?: string;
}

/** The header's charset: pyopenjtalk's `mecab_dict_index` passes `-t utf-8`, and MeCab records it as given. */
const PYOPENJTALK_CHARSET = 'utf-8';

/** MeCab's line buffer: a longer line ends its reading of the file. */
const LINE_BUFFER_BYTES = 8192;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** `short` as MeCab stores a cost it read as `int`. */
const toInt16 = (value: number): number => (value << 16) >> 16;

interface ContextIdLookup {
  ids(feature: string, where: string): { readonly leftId: number; readonly rightId: number };
}

function contextIdLookup(definitions: DictionaryDefinitions): ContextIdLookup {
  let tables: { rewriter: DictionaryRewriter; left: ReadonlyMap<string, number>; right: ReadonlyMap<string, number> } | undefined;
  return {
    ids(feature, where) {
      if (tables === undefined) {
        const { rewrite, leftId, rightId } = definitions;
        if (rewrite === undefined || leftId === undefined || rightId === undefined) {
          throw new Error(`${where}: its context ids are not given, and assigning them needs the system dictionary's rewrite.def, left-id.def and right-id.def`);
        }
        tables = { rewriter: new DictionaryRewriter(rewrite), left: parseContextIds(leftId, 'left-id.def'), right: parseContextIds(rightId, 'right-id.def') };
      }
      const context = tables.rewriter.contextFeatures(feature);
      if (context === undefined) throw new Error(`${where}: rewrite.def has no rule for the feature ${JSON.stringify(feature)}`);
      const leftId = tables.left.get(context.left);
      const rightId = tables.right.get(context.right);
      if (leftId === undefined) throw new Error(`${where}: left-id.def has no id for ${JSON.stringify(context.left)}`);
      if (rightId === undefined) throw new Error(`${where}: right-id.def has no id for ${JSON.stringify(context.right)}`);
      return { leftId, rightId };
    },
  };
}

/** The entries of a user-dictionary CSV, in file order, with their ids and costs as MeCab resolves them. */
export function userDictionaryEntries(csv: Uint8Array | string, definitions: DictionaryDefinitions, file = 'userdict.csv'): DictionaryEntry[] {
  let text: string;
  try {
    text = typeof csv === 'string' ? csv : decoder.decode(csv);
  } catch (error) {
    throw new Error(`${file}: not UTF-8 (pyopenjtalk compiles user dictionaries from UTF-8)`, { cause: error });
  }
  const posIds = new PosIdGenerator(definitions.posId);
  const contextIds = contextIdLookup(definitions);
  const entries: DictionaryEntry[] = [];
  for (const [index, rawLine] of getLines(text).entries()) {
    const where = `${file}:${index + 1}`;
    if (encoder.encode(rawLine).length >= LINE_BUFFER_BYTES) throw new Error(`${where}: a line of ${LINE_BUFFER_BYTES} bytes or more, which MeCab stops reading at`);
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '') continue;
    const columns = tokenizeCsv(line, 5);
    if (columns.length !== 5) throw new Error(`${where}: format error (surface,left id,right id,cost,feature expected): ${JSON.stringify(line)}`);
    const [surface = '', left, right, costField, feature = ''] = columns;
    const cost = toInt(costField);
    if (cost === NOT_GIVEN) throw new Error(`${where}: empty cost, which needs a trained MeCab model that OpenJTalk's dictionary lacks (OpenJTalk's mecab-dict-index crashes on it); give a cost`);
    let leftId = toInt(left);
    let rightId = toInt(right);
    const posId = posIds.id(feature);
    if (leftId < 0 || rightId < 0 || leftId === NOT_GIVEN || rightId === NOT_GIVEN) ({ leftId, rightId } = contextIds.ids(feature, where));
    if (surface === '') continue;
    entries.push({ surface, leftId, rightId, cost: toInt16(cost), feature, posId });
  }
  return entries;
}

/** A compiled user dictionary (`user.dict`) for `system`, from the CSV. */
export function compileUserDictionary(
  csv: Uint8Array | string,
  system: Pick<MecabDictionary, 'matrix'>,
  definitions: DictionaryDefinitions,
  file = 'userdict.csv',
): Uint8Array {
  const entries = userDictionaryEntries(csv, definitions, file);
  try {
    return encodeMecabDictionary({ type: 'user', leftSize: system.matrix.leftSize, rightSize: system.matrix.rightSize, entries, charset: PYOPENJTALK_CHARSET });
  } catch (error) {
    throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
