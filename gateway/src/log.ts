/**
 * Structured logs: one JSON object per line, filtered by the LOG_LEVEL var. Callers pass ids, codes and counts,
 * never keys, secrets, headers or request bodies.
 * @module
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function rank(level: string | undefined): number {
  return level !== undefined && Object.hasOwn(RANK, level) ? RANK[level as LogLevel] : RANK.info;
}

/** `threshold` is the LOG_LEVEL var's value; anything unknown means `info`. */
export function log(threshold: string | undefined, level: LogLevel, msg: string, fields: LogFields = {}): void {
  if (RANK[level] < rank(threshold)) return;
  const line = JSON.stringify({ level, msg, ...fields });
  if (level === 'error') console.error(line);
  else console.log(line);
}
