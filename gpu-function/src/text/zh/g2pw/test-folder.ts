/**
 * Test support: a synthetic G2PWModel folder in the layout of G2PWModel_1.1 (traditional characters, bopomofo labels
 * with tone digits) and a tiny ONNX model with g2pW.onnx's inputs and output, so the G2PW path runs end to end
 * without the user's model.
 *
 * The model: probs = softmax(W[char_id] masked by phoneme_mask), where W prefers one label per character:
 * 行 → ㄏㄤ2 (hang2), 長 → ㄓㄤ3 (zhang3), 重 → ㄓㄨㄥ4 (zhong4). The text inputs enter through a zero-weighted sum
 * so the graph consumes them as the real model does.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { encodeModel, GraphBuilder, Ops } from '../../../onnx/index.ts';
import { buildG2pwAssets } from './assets.ts';

export const SYNTHETIC_POLYPHONIC = ['行\tㄒㄧㄥ2', '行\tㄏㄤ2', '長\tㄔㄤ2', '長\tㄓㄤ3', '重\tㄓㄨㄥ4', '重\tㄔㄨㄥ2'].join('\n');
export const SYNTHETIC_MONOPHONIC = ['銀\tㄧㄣ2', '大\tㄉㄚ4'].join('\n');
export const SYNTHETIC_BOPOMOFO: Readonly<Record<string, string>> = {
  ㄒㄧㄥ: 'xing', ㄏㄤ: 'hang', ㄔㄤ: 'chang', ㄓㄤ: 'zhang', ㄓㄨㄥ: 'zhong', ㄔㄨㄥ: 'chong', ㄧㄣ: 'yin', ㄉㄚ: 'da',
};

function buildModel(labels: readonly string[], chars: readonly string[]): GraphBuilder {
  const g = new GraphBuilder({ name: 'g2pw-synthetic' });
  const op = new Ops(g);
  const inputIds = g.input('input_ids', 'int64', ['batch_text', 'tokens']);
  g.input('token_type_ids', 'int64', ['batch_text', 'tokens']);
  const attention = g.input('attention_mask', 'int64', ['batch_text', 'tokens']);
  const mask = g.input('phoneme_mask', 'float32', ['rows', labels.length]);
  const charIds = g.input('char_ids', 'int64', ['rows']);
  g.input('position_ids', 'int64', ['rows']);
  const preferred: Readonly<Record<string, string>> = { 行: 'ㄏㄤ2', 長: 'ㄓㄤ3', 重: 'ㄓㄨㄥ4' };
  const table = chars.flatMap((char) => labels.map((label) => (preferred[char] === label ? 5 : 1)));
  const rows = op.gather(op.float(table, [chars.length, labels.length]), charIds); // [rows, labels]
  const textSum = op.cast(op.reduceSum(op.mul(inputIds, attention), [0, 1]), 'float32'); // [1, 1]
  const logits = op.add(op.sub(op.mul(rows, mask), op.mul(op.sub(op.float(1), mask), op.float(100))), op.mul(textSum, op.float(0)));
  g.output(op.softmax(logits, -1), 'probs', ['rows', labels.length]);
  return g;
}

/** Writes the folder's files (g2pW.onnx, config.py, the character and label tables) into `dir`. */
export async function writeSyntheticG2pwFolder(dir: string): Promise<void> {
  await writeFile(join(dir, 'POLYPHONIC_CHARS.txt'), SYNTHETIC_POLYPHONIC);
  await writeFile(join(dir, 'MONOPHONIC_CHARS.txt'), SYNTHETIC_MONOPHONIC);
  await writeFile(join(dir, 'bopomofo_to_pinyin_wo_tune_dict.json'), JSON.stringify(SYNTHETIC_BOPOMOFO));
  await writeFile(join(dir, 'char_bopomofo_dict.json'), '{}');
  await writeFile(join(dir, 'config.py'), 'model_source = "bert-base-chinese"\nuse_mask = True\nuse_char_phoneme = False\n');
  const assets = buildG2pwAssets({ polyphonicChars: SYNTHETIC_POLYPHONIC, monophonicChars: SYNTHETIC_MONOPHONIC, bopomofoToPinyin: SYNTHETIC_BOPOMOFO, config: '' });
  await writeFile(join(dir, 'g2pW.onnx'), await encodeModel(buildModel(assets.labels, [...assets.charIds.keys()])));
}
