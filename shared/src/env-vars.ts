/**
 * Settings read from environment variables (the gateway's wrangler vars, the GPU function's environment) are text;
 * these schemas turn them into typed values, with a message that says what was expected. The caller names the var.
 * @module
 */
import { z } from 'zod';

/** An integer var in [min, max]; absent or blank is `fallback`. */
export function integerVar(fallback: number, min: number, max: number) {
  return z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return fallback;
      const value = Number(text);
      if (!Number.isInteger(value) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `must be an integer from ${String(min)} to ${String(max)}, got "${text}"` });
        return z.NEVER;
      }
      return value;
    });
}
