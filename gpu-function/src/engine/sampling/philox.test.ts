import { describe, expect, it } from 'vitest';
import { philox4x32, uniformOpen } from './philox.ts';

describe('Philox4x32-10', () => {
  it('reproduces the Random123 known-answer vectors', () => {
    expect(philox4x32([0, 0, 0, 0], [0, 0])).toEqual([0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]);
    expect(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff])).toEqual([
      0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd,
    ]);
    expect(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0])).toEqual([
      0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1,
    ]);
  });

  it('gives uniforms strictly inside (0, 1) with the right mean', () => {
    let sum = 0;
    for (let i = 0; i < 20000; i += 1) {
      const u = uniformOpen(philox4x32([i, 0, 0, 0], [42, 0]));
      expect(u).toBeGreaterThan(0);
      expect(u).toBeLessThan(1);
      sum += u;
    }
    expect(sum / 20000).toBeCloseTo(0.5, 2);
  });
});
