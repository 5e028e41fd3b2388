/**
 * Progress for `gsv-edge bundle` on stderr: one line per stage, and on a terminal a byte counter rewritten in place.
 * Hand-written because it is a dozen lines; a progress-bar library would add a dependency for one line of output.
 * @module
 */
import type { BundleProgress } from './build.ts';

export function progressPrinter(stream: NodeJS.WriteStream): (progress: BundleProgress) => void {
  const started = Date.now();
  let lastDraw = 0;
  let counterShown = false;
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)} s`;
  return (progress) => {
    if (progress.kind === 'stage') {
      if (counterShown) stream.write('\n');
      counterShown = false;
      stream.write(`[${elapsed()}] ${progress.message}\n`);
      return;
    }
    if (!stream.isTTY || Date.now() - lastDraw < 100) return;
    lastDraw = Date.now();
    const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);
    const percent = progress.expected > 0 ? Math.min(100, (100 * progress.written) / progress.expected).toFixed(0) : '?';
    stream.write(`\r  weights ${mb(progress.written)} / ~${mb(progress.expected)} MB (${percent}%)   `);
    counterShown = true;
  };
}
