/**
 * Puts a finished bundle folder in place crash-safely. The folder is written under a temporary name beside its
 * destination (`<out>.partial-<pid>-<ms>`); before the rename every file in it and the folder itself are flushed
 * to the disk, so a rename that survives a power cut never names half-written weights. Replacing a bundle takes
 * two renames (the old one aside to `<out>.previous-<pid>`, the new one in); a build killed between them leaves no
 * bundle at `<out>`, which {@link recoverInterruptedPlacement} puts back at the start of the next build, together
 * with removing the partial folders of builds that were killed.
 * @module
 */
import { open, readdir, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncFolder } from '../../storage/atomic-write.ts';
import { exists } from './sources.ts';

export function partialPathFor(out: string): string {
  return `${out}.partial-${String(process.pid)}-${String(Date.now())}`;
}

/** Flushes every file below `dir`, then the folders themselves (deepest first). */
export async function syncTree(dir: string): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      await syncTree(path);
    } else if (entry.isFile()) {
      const handle = await open(path, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }
  }
  await syncFolder(dir);
}

/** Flushes `temporary` and renames it to `out`; an existing bundle is moved aside first and removed once the new one is in. */
export async function moveIntoPlace(temporary: string, out: string): Promise<void> {
  await syncTree(temporary);
  if (!(await exists(out))) {
    await rename(temporary, out);
    await syncFolder(dirname(out));
    return;
  }
  const previous = `${out}.previous-${String(process.pid)}`;
  await rename(out, previous);
  try {
    await rename(temporary, out);
  } catch (error) {
    await rename(previous, out);
    throw error;
  }
  await syncFolder(dirname(out));
  await rm(previous, { recursive: true, force: true });
}

/**
 * Repairs what a build of `out` killed mid-way left: a bundle moved aside but never replaced is moved back; one
 * that was replaced has its old copy removed; partial folders of builds no longer running are removed. Returns
 * what it did, one line each, for the build's progress.
 */
export async function recoverInterruptedPlacement(out: string): Promise<string[]> {
  const parent = dirname(out);
  const name = basename(out);
  let siblings: string[];
  try {
    siblings = await readdir(parent);
  } catch {
    return [];
  }
  const done: string[] = [];
  for (const sibling of siblings.sort()) {
    const path = join(parent, sibling);
    const partial = new RegExp(`^${escape(name)}\\.partial-(\\d+)-\\d+$`).exec(sibling);
    if (partial !== null && !isRunning(Number(partial[1]))) {
      await rm(path, { recursive: true, force: true });
      done.push(`removed ${path}, left by a build that was stopped`);
      continue;
    }
    const previous = new RegExp(`^${escape(name)}\\.previous-(\\d+)$`).exec(sibling);
    if (previous === null || isRunning(Number(previous[1]))) continue;
    if (await exists(out)) {
      await rm(path, { recursive: true, force: true });
      done.push(`removed ${path}, the bundle an interrupted build had already replaced`);
    } else {
      await rename(path, out);
      done.push(`moved ${path} back to ${out}: a build was stopped while replacing it`);
    }
  }
  return done;
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether another process with this id runs: this one's own leftovers (a reused id, as in a container) are stale. */
function isRunning(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
