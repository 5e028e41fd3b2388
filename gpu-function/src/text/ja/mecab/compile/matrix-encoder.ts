/**
 * Writes a MeCab `matrix.bin` (the format matrix.ts reads) from `matrix.def`'s content: its sizes and
 * `left right cost` lines (left: the preceding node's right id; right: the following node's left id); costs not
 * listed are 0, as `Connector::compile` leaves them.
 * @module
 */

export interface MatrixDefinition {
  readonly leftSize: number;
  readonly rightSize: number;
  readonly costs: readonly (readonly [left: number, right: number, cost: number])[];
}

export function encodeMatrix(definition: MatrixDefinition): Uint8Array {
  const { leftSize, rightSize } = definition;
  if (!(leftSize > 0 && leftSize <= 0xffff && rightSize > 0 && rightSize <= 0xffff)) throw new Error(`matrix sizes ${leftSize}×${rightSize} are out of range`);
  const bytes = new Uint8Array(4 + 2 * leftSize * rightSize);
  const view = new DataView(bytes.buffer);
  view.setUint16(0, leftSize, true);
  view.setUint16(2, rightSize, true);
  for (const [left, right, cost] of definition.costs) {
    if (!(left >= 0 && left < leftSize && right >= 0 && right < rightSize)) throw new Error(`matrix entry ${left} ${right} is outside ${leftSize}×${rightSize}`);
    view.setInt16(4 + 2 * (left + leftSize * right), cost, true);
  }
  return bytes;
}
