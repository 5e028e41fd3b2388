/**
 * MeCab's connection-cost matrix (`matrix.bin`, as `Connector::open` reads it): u16 left size, u16 right size, then
 * `left size × right size` little-endian i16 costs, the cost of a left node's right id `r` followed by a right
 * node's left id `l` at index `r + leftSize × l`.
 * @module
 */

export class ConnectionMatrix {
  readonly leftSize: number;
  readonly rightSize: number;
  readonly #costs: Int16Array;

  constructor(bytes: Uint8Array, file: string) {
    if (bytes.byteLength < 4) throw new Error(`${file}: not a MeCab matrix.bin (${bytes.byteLength} bytes)`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.leftSize = view.getUint16(0, true);
    this.rightSize = view.getUint16(2, true);
    const count = this.leftSize * this.rightSize;
    if (4 + 2 * count !== bytes.byteLength) {
      throw new Error(`${file}: damaged MeCab matrix.bin (${this.leftSize}×${this.rightSize} costs need ${4 + 2 * count} bytes, the file has ${bytes.byteLength})`);
    }
    // Little-endian hosts (every platform Node supports in practice) read the costs in place.
    const start = bytes.byteOffset + 4;
    this.#costs = start % 2 === 0 ? new Int16Array(bytes.buffer, start, count) : new Int16Array(bytes.slice(4).buffer);
  }

  /** Cost of a node with right id `rightId` followed by a node with left id `leftId`. */
  cost(rightId: number, leftId: number): number {
    const cost = rightId < this.leftSize ? this.#costs[rightId + this.leftSize * leftId] : undefined;
    if (cost === undefined) throw new Error(`connection ids ${rightId} → ${leftId} are outside the ${this.leftSize}×${this.rightSize} matrix`);
    return cost;
  }
}
