/**
 * OpenJTalk's JPCommon stage: NJD's words (pyopenjtalk's `run_frontend` output) → full-context labels, as
 * pyopenjtalk's `make_label` returns them (`njd2jpcommon`, then `JPCommon_make_label`).
 * @module
 */
import type { NjdNode } from '../njd/node.ts';
import { makeLabels } from './label.ts';
import { Utterance, type JpcommonWord } from './utterance.ts';
import { cformCode, ctypeCode, posCode } from './word-codes.ts';

export { moraAt, moraInventory, type MoraPhonemes } from './mora.ts';
export { cformCode, ctypeCode, posCode, type WordCodes } from './word-codes.ts';

/** njd2jpcommon: what JPCommon keeps of each NJD word. */
export function njdToJpcommon(node: NjdNode): JpcommonWord {
  return {
    pron: node.pron,
    codes: { pos: posCode(node.pos, node.posGroup1, node.posGroup2, node.posGroup3), ctype: ctypeCode(node.ctype), cform: cformCode(node.cform) },
    acc: node.acc,
    chainFlag: node.chainFlag,
  };
}

/** pyopenjtalk's `make_label`: the full-context labels of NJD's words (none when they hold no mora). */
export function makeFullContextLabels(nodes: readonly NjdNode[]): string[] {
  const utterance = new Utterance();
  for (const node of nodes) utterance.push(njdToJpcommon(node));
  return makeLabels(utterance);
}
