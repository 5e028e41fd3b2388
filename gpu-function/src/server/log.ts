/**
 * Structured JSON logs (pino), one line per event. Callers pass ids, codes, counts and timings: never secrets,
 * signatures, request bodies or the text being spoken.
 * @module
 */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'gsv-gpu-function' } });
}
