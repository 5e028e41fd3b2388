/**
 * Crash-safe files: a file is written under a temporary name in its own folder, flushed to the disk, and only then
 * renamed to its final name (and the folder flushed, so the rename itself survives a power cut). A process killed
 * at any point leaves either the old file, or the whole new one, plus at worst a temporary file that
 * {@link removeLeftoverTemporaries} clears at the next start; never a half file under the final name.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

/** `<final name>.<pid>.<uuid>.tmp`: unique per write, and naming the process that wrote it. */
const TEMPORARY_PATTERN = /\.(\d+)\.[0-9a-f-]{36}\.tmp$/;

export function temporaryPathFor(path: string): string {
  return `${path}.${String(process.pid)}.${randomUUID()}.tmp`;
}

export async function writeFileAtomically(path: string, data: Uint8Array | string): Promise<void> {
  const temporary = temporaryPathFor(path);
  try {
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(join(path, '..'));
}

/** Flushes a folder's entries (a rename into it) to the disk; a no-op where the system cannot open folders so. */
export async function syncFolder(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    // Some systems and file systems refuse to open or sync a folder; the data itself is already flushed.
    if (!['EISDIR', 'EINVAL', 'EPERM', 'EACCES', 'ENOTSUP'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle?.close();
  }
}

/**
 * Removes the temporary files that writers killed mid-write left in `dir` (call it at start, before this process
 * writes there). A file whose writer is another process still running is left alone: two processes may share a
 * data folder. Returns the names removed.
 */
export async function removeLeftoverTemporaries(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMPORARY_PATTERN.exec(name);
    if (match === null) continue;
    const writer = Number(match[1]);
    if (writer !== process.pid && isRunning(writer)) continue;
    await rm(join(dir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
