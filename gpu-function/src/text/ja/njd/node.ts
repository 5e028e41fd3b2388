/**
 * One word as OpenJTalk's NJD stage holds it: the contract between the NJD rules (which turn MeCab's words into
 * readings, accent phrases and accent types) and JPCommon's full-context labels. Field for field it is what
 * pyopenjtalk's `run_frontend` returns per word (`string`, `pos`, `pos_group1`..`3`, `ctype`, `cform`, `orig`,
 * `read`, `pron`, `acc`, `mora_size`, `chain_rule`, `chain_flag`), so fixtures written by pyopenjtalk compare
 * directly; names are camel-cased.
 * @module
 */
export interface NjdNode {
  /** The word as written (MeCab's surface, after OpenJTalk's half- to full-width conversion). */
  readonly string: string;
  /** Part of speech and its three sub-groups (`*` where NAIST-JDIC has none). */
  readonly pos: string;
  readonly posGroup1: string;
  readonly posGroup2: string;
  readonly posGroup3: string;
  /** Conjugation type and form. */
  readonly ctype: string;
  readonly cform: string;
  /** Base (dictionary) form. */
  readonly orig: string;
  /** Reading and pronunciation in katakana (`*` where unknown). */
  readonly read: string;
  readonly pron: string;
  /** Accent nucleus position in morae (0: flat). */
  readonly acc: number;
  readonly moraSize: number;
  /** Accent combination rule (`C1`, `F2@1/P1`, ... or `*`). */
  readonly chainRule: string;
  /** 1: joined to the previous word's accent phrase, 0: starts a new one, -1: unset. */
  readonly chainFlag: number;
}
