/**
 * Preloaded (`node --import`) into every scenario child: at exit, writes the process's peak resident set size
 * (`process.resourceUsage().maxRSS`, KiB) in bytes to the file named by GSV_BENCH_RSS_FILE. This gives the same
 * figure for the project's scenarios and for the existing benches the orchestrator only calls.
 * @module
 */
import { writeFileSync } from 'node:fs';

export const RSS_FILE_VARIABLE = 'GSV_BENCH_RSS_FILE';

const file = process.env[RSS_FILE_VARIABLE];
if (file !== undefined && file !== '') {
  process.on('exit', () => {
    writeFileSync(file, JSON.stringify({ max_rss_bytes: process.resourceUsage().maxRSS * 1024 }));
  });
}
