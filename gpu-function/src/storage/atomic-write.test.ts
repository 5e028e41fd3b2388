import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeLeftoverTemporaries, temporaryPathFor, writeFileAtomically } from './atomic-write.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function folder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gsv-atomic-'));
  dirs.push(dir);
  return dir;
}

/** The id of a process that has exited: its temporaries are a killed writer's. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid;
}

describe('atomic writes', () => {
  it('writes and replaces a file whole, leaving no temporary behind', async () => {
    const dir = await folder();
    const path = join(dir, 'voice.json');
    await writeFileAtomically(path, 'first');
    await writeFileAtomically(path, new TextEncoder().encode('second, longer'));
    expect(await readFile(path, 'utf8')).toBe('second, longer');
    expect(await readdir(dir)).toEqual(['voice.json']);
  });

  it('leaves the previous file whole and no temporary when the rename fails', async () => {
    const dir = await folder();
    const path = join(dir, 'voice.json');
    await writeFileAtomically(path, 'kept');
    // A non-empty folder cannot be replaced by a file: the temporary is written, the rename fails.
    const blocked = join(dir, 'blocked');
    await writeFileAtomically(join(await mkdir(blocked, { recursive: true }).then(() => blocked), 'inside'), 'x');
    await expect(writeFileAtomically(blocked, 'never')).rejects.toThrow();
    expect(await readFile(path, 'utf8')).toBe('kept');
    expect((await readdir(dir)).sort()).toEqual(['blocked', 'voice.json']);
  });

  it("removes a killed writer's temporaries (never renamed) and this process's, keeps a live writer's and other files", async () => {
    const dir = await folder();
    const final = join(dir, 'features.gsvf');
    const dead = temporaryPathFor(final).replace(`.${String(process.pid)}.`, `.${String(deadPid())}.`);
    const own = temporaryPathFor(final);
    const live = temporaryPathFor(final).replace(`.${String(process.pid)}.`, `.${String(process.ppid)}.`);
    for (const path of [dead, own, live]) await writeFile(path, 'half a file');
    await writeFile(join(dir, 'notes.tmp'), 'not ours');
    await writeFile(final, 'whole');
    const removed = await removeLeftoverTemporaries(dir);
    expect(removed.sort()).toEqual([dead, own].map((path) => path.slice(dir.length + 1)).sort());
    expect((await readdir(dir)).sort()).toEqual(['features.gsvf', 'notes.tmp', live.slice(dir.length + 1)].sort());
    expect(await readFile(final, 'utf8')).toBe('whole');
  });

  it('treats a missing folder as having nothing to remove', async () => {
    expect(await removeLeftoverTemporaries(join(await folder(), 'absent'))).toEqual([]);
  });
});
