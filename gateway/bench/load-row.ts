/**
 * One row of the cached-phrase bench's table: what gateway/bench/cached-phrases.ts measures and prints, and what
 * `npm run bench` (scripts/bench/parsers.ts) reads back from that table.
 * @module
 */
export interface LoadRow {
  readonly route: string;
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}
