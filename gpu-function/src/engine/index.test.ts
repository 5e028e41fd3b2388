import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/** gpu-function/, where the package's own name resolves (self-reference through `exports`). */
const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../..');

function runNode(args: readonly string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}

describe('engine entry point', () => {
  // vitest rewrites imports (CommonJS interop among them), so only a plain Node process proves a server can load it.
  it('imports under plain Node (ESM, type stripping) as @gsv-edge/gpu-function/engine', async () => {
    const script = [
      "const engine = await import('@gsv-edge/gpu-function/engine');",
      "console.log(typeof engine.Engine.start, typeof engine.AudioStream, engine.DEFAULT_ENGINE_LIMITS.maxRunning);",
    ].join('\n');
    const { code, stdout, stderr } = await runNode(['--input-type=module', '--eval', script], PACKAGE_DIR);
    expect(code, stderr).toBe(0);
    expect(stdout.trim()).toBe('function function 16');
  }, 60_000);
});
