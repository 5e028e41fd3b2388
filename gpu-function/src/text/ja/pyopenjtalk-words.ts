/**
 * pyopenjtalk's `run_frontend` dictionaries (snake_case keys, as fixtures written with pyopenjtalk hold them) ↔
 * {@link NjdNode}.
 * @module
 */
import type { NjdNode } from './njd/node.ts';

export interface RunFrontendWord {
  readonly string: string;
  readonly pos: string;
  readonly pos_group1: string;
  readonly pos_group2: string;
  readonly pos_group3: string;
  readonly ctype: string;
  readonly cform: string;
  readonly orig: string;
  readonly read: string;
  readonly pron: string;
  readonly acc: number;
  readonly mora_size: number;
  readonly chain_rule: string;
  readonly chain_flag: number;
}

export function fromRunFrontend(word: RunFrontendWord): NjdNode {
  return {
    string: word.string,
    pos: word.pos,
    posGroup1: word.pos_group1,
    posGroup2: word.pos_group2,
    posGroup3: word.pos_group3,
    ctype: word.ctype,
    cform: word.cform,
    orig: word.orig,
    read: word.read,
    pron: word.pron,
    acc: word.acc,
    moraSize: word.mora_size,
    chainRule: word.chain_rule,
    chainFlag: word.chain_flag,
  };
}
