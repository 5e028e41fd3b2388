/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", 2011), the counter-based generator
 * PyTorch and JAX use on GPUs. Counter-based means a draw is a pure function of (key, counter): the noise a
 * sequence sees at decode step s for token i does not depend on how many other sequences share the batch or in what
 * order they are sampled, which is what makes a seed reproduce the same tokens under continuous batching.
 * Written by hand: it is twenty lines and no npm package offers a counter-based API.
 * @module
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32s, exact in double arithmetic. */
function mulHi(a: number, b: number): number {
  const aLow = a & 0xffff;
  const aHigh = a >>> 16;
  const bLow = b & 0xffff;
  const bHigh = b >>> 16;
  const lowLow = aLow * bLow;
  const lowHigh = aLow * bHigh;
  const highLow = aHigh * bLow;
  const carry = (lowLow >>> 16) + (lowHigh & 0xffff) + (highLow & 0xffff);
  return (aHigh * bHigh + (lowHigh >>> 16) + (highLow >>> 16) + (carry >>> 16)) >>> 0;
}

/** Four uint32 words for counter `(c0, c1, c2, c3)` under key `(k0, k1)`. */
export function philox4x32(
  counter: readonly [number, number, number, number],
  key: readonly [number, number],
): [number, number, number, number] {
  let [c0, c1, c2, c3] = counter;
  let [k0, k1] = key;
  for (let round = 0; round < 10; round += 1) {
    const hi0 = mulHi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulHi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  return [c0, c1, c2, c3];
}

/** A uniform double in (0, 1) from 53 random bits; never 0, so its logarithm is finite. */
export function uniformOpen(words: readonly [number, number, number, number]): number {
  const high = words[0] >>> 5; // 27 bits
  const low = words[1] >>> 6; // 26 bits
  return (high * 67108864 + low + 0.5) / 9007199254740992;
}
