import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { moveIntoPlace, partialPathFor, recoverInterruptedPlacement } from './placement.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function bundleFolder(path: string, manifest: string): Promise<void> {
  await mkdir(join(path, 'fp32'), { recursive: true });
  await writeFile(join(path, 'manifest.json'), manifest);
  await writeFile(join(path, 'fp32', 'weights.bin'), new Uint8Array(1024));
}

const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid;

describe('bundle placement', () => {
  it('moves a finished folder into place, replacing an old bundle without leaving either temporary', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'gsv-place-'));
    dirs.push(parent);
    const out = join(parent, 'tiny');
    for (const manifest of ['first', 'second']) {
      const partial = partialPathFor(out);
      await bundleFolder(partial, manifest);
      await moveIntoPlace(partial, out);
    }
    expect(await readFile(join(out, 'manifest.json'), 'utf8')).toBe('second');
    expect(await readdir(parent)).toEqual(['tiny']);
  });

  it('repairs what a killed build left: the moved-aside bundle back in place, partial folders of dead builds removed', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'gsv-place-'));
    dirs.push(parent);
    const out = join(parent, 'tiny');
    const dead = deadPid();
    // Killed between its two renames: the old bundle aside, the new one still partial.
    await bundleFolder(`${out}.previous-${String(dead)}`, 'old');
    await bundleFolder(`${out}.partial-${String(dead)}-1700000000000`, 'half');
    // A build of this folder still running in another process, and another bundle's leftovers: both left alone.
    await bundleFolder(`${out}.partial-${String(process.ppid)}-1700000000001`, 'running');
    await bundleFolder(join(parent, `tiny2.partial-${String(dead)}-1700000000002`), 'other');

    const repaired = await recoverInterruptedPlacement(out);
    expect(repaired).toHaveLength(2);
    expect(await readFile(join(out, 'manifest.json'), 'utf8')).toBe('old');
    expect((await readdir(parent)).sort()).toEqual(['tiny', `tiny.partial-${String(process.ppid)}-1700000000001`, `tiny2.partial-${String(dead)}-1700000000002`].sort());
    expect(await recoverInterruptedPlacement(out)).toEqual([]);
  });

  it('removes the old copy a killed build had already replaced', async () => {
    const parent = await mkdtemp(join(tmpdir(), 'gsv-place-'));
    dirs.push(parent);
    const out = join(parent, 'tiny');
    await bundleFolder(out, 'new');
    await bundleFolder(`${out}.previous-${String(deadPid())}`, 'old');
    expect(await recoverInterruptedPlacement(out)).toEqual([expect.stringMatching(/already replaced/)]);
    expect(await readdir(parent)).toEqual(['tiny']);
    expect(await readFile(join(out, 'manifest.json'), 'utf8')).toBe('new');
  });
});
