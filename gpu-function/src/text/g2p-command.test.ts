import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { g2pCommand } from './g2p-command.ts';
import { symbolId } from './symbols.ts';

interface SegmentJson {
  readonly text: string;
  readonly norm_text: string;
  readonly phones: string[];
  readonly phone_ids: number[];
  readonly word2ph: number[];
}

async function capture(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const code = await g2pCommand.run(argv);
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('gsv-edge g2p', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('prints the segments with phones, ids for the chosen table, and word2ph', async () => {
    const { code, stdout } = await capture(['--lang', 'en', '--symbols', 'v1', 'Hello world. This is a test.']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { symbols: string; segments: SegmentJson[] };
    expect(result.symbols).toBe('v1');
    expect(result.segments.map((segment) => segment.norm_text)).toEqual(['Hello world.', ' This is a test.']);
    const [first] = result.segments;
    expect(first?.phones).toEqual(['HH', 'AH0', 'L', 'OW1', 'W', 'ER1', 'L', 'D', '.']);
    expect(first?.phone_ids).toEqual(first?.phones.map((phone) => symbolId('v1', phone)));
    expect(first?.word2ph).toEqual([4, 4, 1]);
  });

  it('rejects bad options with the usage and exit code 2', async () => {
    const { code, stderr } = await capture(['--lang', 'fr', 'text']);
    expect(code).toBe(2);
    expect(stderr).toContain('usage: gsv-edge g2p');
  });

  it('reports an unsupported language as an error, exit code 1', async () => {
    const { code, stderr } = await capture(['--lang', 'auto', 'こんにちは']);
    expect(code).toBe(1);
    expect(stderr).toContain('language_not_supported');
  });

  it('reads one text per line from standard input through the real bin', () => {
    const bin = fileURLToPath(new URL('../../bin/gsv-edge.js', import.meta.url));
    const run = spawnSync(process.execPath, [bin, 'g2p', '--lang', 'en'], {
      input: 'Hello there, friend.\nI have 3 apples.\n',
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { text: string; segments: SegmentJson[] });
    expect(lines.map((line) => line.text)).toEqual(['Hello there, friend.', 'I have 3 apples.']);
    expect(lines[1]?.segments[0]?.norm_text).toBe('I have three apples.');
  });
});
