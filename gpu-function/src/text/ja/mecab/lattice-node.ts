/**
 * A node of MeCab's lattice: a dictionary token or unknown word starting at a byte position, with what Viterbi
 * fills in. MeCab keeps its nodes in intrusive singly linked lists (`bnext` for the nodes starting at a position,
 * newest first; `enext` for those ending at one, most recently connected first), and the order of those lists
 * decides which of two equally cheap paths wins, so the lattice keeps the same lists.
 * @module
 */
import type { MecabDictionaryFile } from './dictionary-file.ts';

export const NODE_STATUS = { normal: 0, unknown: 1, bos: 2, eos: 3 } as const;
export type NodeStatus = (typeof NODE_STATUS)[keyof typeof NODE_STATUS];

export class LatticeNode {
  /** Byte offset of the surface (after any leading spaces MeCab skipped). */
  surfaceStart = 0;
  /** Surface length in bytes. */
  length = 0;
  /** Length in bytes including the skipped leading spaces: where the node ends is `start + rlength`. */
  rlength = 0;
  leftId = 0;
  rightId = 0;
  posId = 0;
  wordCost = 0;
  /** The dictionary the feature string is in, and where; BOS/EOS nodes have none. */
  dictionary: MecabDictionaryFile | undefined = undefined;
  featureOffset = 0;
  status: NodeStatus = NODE_STATUS.normal;
  /** Id of the character category of the surface's first character. */
  charType = 0;
  /** Cost of the best path from BOS to the end of this node. */
  cost = 0;
  prev: LatticeNode | undefined = undefined;
  bnext: LatticeNode | undefined = undefined;
  enext: LatticeNode | undefined = undefined;
}
