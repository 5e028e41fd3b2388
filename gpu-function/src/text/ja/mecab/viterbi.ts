/**
 * MeCab's best path (`Viterbi::viterbi` + `buildBestLattice`, without constraints or n-best): at every byte position
 * some node ends at, the tokenizer's nodes are connected to the cheapest node ending there, the cost being that
 * node's path cost + the connection matrix's cost (its right id, the new node's left id) + the new node's word
 * cost. Ties keep the first node found in the list of nodes ending there, which lists the most recently connected
 * node first. EOS joins the last position any node ends at.
 * @module
 */
import { LatticeNode, NODE_STATUS } from './lattice-node.ts';
import type { ConnectionMatrix } from './matrix.ts';
import type { Tokenizer } from './tokenizer.ts';

/** MeCab's starting "best" cost (a C `long` set to INT_MAX). */
const NO_PATH_COST = 2147483647;
/** Unknown words of trailing spaces end a few bytes past the sentence (MeCab sizes its lists `length + 4`). */
const END_SLACK = 8;

export interface BestPath {
  /** The path's nodes from the first word to the last (BOS and EOS left out). */
  readonly nodes: LatticeNode[];
  /** The whole path's cost (EOS's path cost). */
  readonly cost: number;
}

export function bestPath(sentence: Uint8Array, tokenizer: Tokenizer, matrix: ConnectionMatrix): BestPath {
  const length = sentence.byteLength;
  const endNodes = new Array<LatticeNode | undefined>(length + END_SLACK).fill(undefined);
  const bos = new LatticeNode();
  bos.status = NODE_STATUS.bos;
  endNodes[0] = bos;

  const connect = (pos: number, first: LatticeNode | undefined): void => {
    for (let right = first; right !== undefined; right = right.bnext) {
      let bestCost = NO_PATH_COST;
      let best: LatticeNode | undefined;
      for (let left = endNodes[pos]; left !== undefined; left = left.enext) {
        const cost = left.cost + matrix.cost(left.rightId, right.leftId) + right.wordCost;
        if (cost < bestCost) {
          best = left;
          bestCost = cost;
        }
      }
      if (best === undefined) throw new Error('MeCab: no path through the lattice (too long sentence)');
      right.prev = best;
      right.cost = bestCost;
      const at = pos + right.rlength;
      right.enext = endNodes[at];
      endNodes[at] = right;
    }
  };

  // Once a position is connected its list is only needed again if EOS joins there (no node ends at the end), so
  // only the latest such list is kept: the nodes off the best paths become garbage as the lattice grows.
  let lastConnected = -1;
  let lastList: LatticeNode | undefined;
  for (let pos = 0; pos < length; pos++) {
    const ending = endNodes[pos];
    if (ending === undefined) continue;
    connect(pos, tokenizer.lookup(sentence, pos));
    lastConnected = pos;
    lastList = ending;
    endNodes[pos] = undefined;
  }
  const eos = new LatticeNode();
  eos.status = NODE_STATUS.eos;
  eos.surfaceStart = length;
  if (endNodes[length] === undefined && lastConnected >= 0) endNodes[lastConnected] = lastList;
  const eosAt = endNodes[length] !== undefined ? length : lastConnected;
  if (eosAt >= 0) connect(eosAt, eos);

  const nodes: LatticeNode[] = [];
  for (let node = eos.prev; node !== undefined && node !== bos; node = node.prev) nodes.push(node);
  return { nodes: nodes.reverse(), cost: eos.cost };
}
