/**
 * Seeded pseudo-random numbers for synthetic weights: xoshiro128** (seeded through splitmix32), with a normal
 * approximation cheap enough to fill a billion-parameter file in seconds. Every tensor gets its own stream derived
 * from (seed, tensor name), so files are reproducible and independent of write order.
 * @module
 */

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** FNV-1a of a label mixed into a seed: the stream id of one tensor. */
export function deriveSeed(seed: number, label: string): number {
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i += 1) hash = Math.imul(hash ^ label.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}

// Sum of four uniform 16-bit integers, centred and scaled to unit variance (Irwin-Hall): a bell curve bounded at
// +-3.46 sigma, which is all random weights need, at a fraction of Box-Muller's cost.
const IRWIN_HALL_CENTRE = 2 * 65535;
const IRWIN_HALL_SCALE = 1 / Math.sqrt((4 * (65536 * 65536 - 1)) / 12);

export class Prng {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    const next = splitmix32(seed);
    this.#a = next();
    this.#b = next();
    this.#c = next();
    this.#d = next() | 1;
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.#b, 5), 7), 9) >>> 0;
    const t = this.#b << 9;
    this.#c ^= this.#a;
    this.#d ^= this.#b;
    this.#b ^= this.#c;
    this.#a ^= this.#d;
    this.#c ^= t;
    this.#d = rotl(this.#d, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.nextU32() / 4294967296;
  }

  /** Approximately standard normal (unit variance, bounded tails). */
  normal(): number {
    const x = this.nextU32();
    const y = this.nextU32();
    return ((x & 0xffff) + (x >>> 16) + (y & 0xffff) + (y >>> 16) - IRWIN_HALL_CENTRE) * IRWIN_HALL_SCALE;
  }

  fillNormal(target: Float32Array, mean: number, std: number): void {
    for (let i = 0; i < target.length; i += 1) target[i] = mean + std * this.normal();
  }

  fillUniform(target: Float32Array, low: number, high: number): void {
    const span = high - low;
    for (let i = 0; i < target.length; i += 1) target[i] = low + span * this.uniform();
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
