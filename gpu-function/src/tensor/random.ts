/**
 * A seeded standard-normal source (mulberry32 + Box-Muller) for test inputs and small random weights: a few lines,
 * deterministic on every platform. Full-size synthetic checkpoints use `synthetic/prng.ts`, which is faster.
 * @module
 */

export function seededNormal(seed: number): () => number {
  let state = seed >>> 0;
  const uniform = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}
