/**
 * Puts a request's audio back in text order: segments finish T2S and the vocoder out of order (a short segment
 * overtakes a long one in the batch), but a client must hear them in order. Pieces of segment k are released as
 * soon as every earlier segment is complete.
 * @module
 */

export interface AudioPiece {
  readonly segmentIndex: number;
  readonly samples: Float32Array;
  /** The last piece of its segment. */
  readonly last: boolean;
}

export class OrderedEmitter {
  readonly #pending = new Map<number, AudioPiece[]>();
  readonly #emit: (samples: Float32Array) => void;
  readonly #segmentCount: number;
  #next = 0;

  constructor(segmentCount: number, emit: (samples: Float32Array) => void) {
    this.#segmentCount = segmentCount;
    this.#emit = emit;
  }

  get complete(): boolean {
    return this.#next >= this.#segmentCount;
  }

  push(piece: AudioPiece): void {
    if (piece.segmentIndex < this.#next || piece.segmentIndex >= this.#segmentCount) {
      throw new RangeError(`segment ${String(piece.segmentIndex)} is not pending`);
    }
    const queue = this.#pending.get(piece.segmentIndex) ?? [];
    queue.push(piece);
    this.#pending.set(piece.segmentIndex, queue);
    this.#flush();
  }

  #flush(): void {
    for (;;) {
      const queue = this.#pending.get(this.#next);
      if (queue === undefined || queue.length === 0) return;
      const piece = queue.shift() as AudioPiece;
      if (piece.samples.length > 0) this.#emit(piece.samples);
      if (piece.last) {
        this.#pending.delete(this.#next);
        this.#next += 1;
      }
    }
  }
}
