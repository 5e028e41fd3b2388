/**
 * Benchmark support: loads the OpenJTalk dictionary the way an engine starts, `loadFrontendData` over a bundle whose
 * `ja-open-jtalk-dic` files are links to the dictionary folder, with a manifest view listing their SHA-256, so the
 * time includes reading and hashing the 103 MB exactly as a bundle's start-up does.
 * @module
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { FRONTEND_DATA_FILES } from '../src/text/frontend-data/catalog.ts';
import { loadFrontendData, type FrontendData } from '../src/text/frontend-data/load.ts';
import { MECAB_DICTIONARY_FILES } from '../src/text/ja/mecab/index.ts';

export const DEFAULT_JA_DIC = process.env['GSV_JA_DIC'] ?? '/var/lib/mecab/dic/open-jtalk/naist-jdic';

/**
 * The Japanese benches' arguments, `[--dic DIR] [--seconds N]`. Without the dictionary the bench says so and the
 * process exits 0 (the orchestrator reports it skipped).
 */
export function jaBenchArguments(): { readonly dic: string; readonly seconds: number } {
  const { values } = parseArgs({
    options: {
      dic: { type: 'string', default: DEFAULT_JA_DIC },
      seconds: { type: 'string', default: '5' },
    },
  });
  const dic = values.dic;
  const missing = MECAB_DICTIONARY_FILES.filter((name) => !existsSync(join(dic, name)));
  if (missing.length > 0) {
    console.log(`skipped: no OpenJTalk NAIST-JDIC at ${dic} (${missing.join(', ')} missing); apt-get install open-jtalk-mecab-naist-jdic or pass --dic`);
    process.exit(0);
  }
  return { dic, seconds: Number(values.seconds) };
}

export interface BundleStartup {
  /** Wall time of `loadFrontendData`. */
  readonly ms: number;
  /** The process's CPU time over the same load: on a shared machine the wall time also counts waiting for a core. */
  readonly cpuMs: number;
  readonly data: FrontendData;
}

export async function loadDictionaryAsBundle(dic: string): Promise<BundleStartup> {
  const bundle = await mkdtemp(join(tmpdir(), 'bench-ja-bundle-'));
  try {
    const paths = FRONTEND_DATA_FILES['ja-open-jtalk-dic'];
    const files = [];
    for (const path of paths) {
      const target = join(bundle, path);
      await mkdir(join(target, '..'), { recursive: true });
      await symlink(join(dic, basename(path)), target);
      const bytes = await readFile(target);
      files.push({ path, role: 'frontend-data' as const, precision: null, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    }
    const sources = files.map((file) => ({ origin: 'site-packages' as const, path: `pyopenjtalk/open_jtalk_dic_utf_8-1.11/${basename(file.path)}`, sha256: file.sha256 }));
    const manifest = { files, frontend: { data: [{ id: 'ja-open-jtalk-dic' as const, files: [...paths], sources }], missing: [] } };
    const started = performance.now();
    const cpu = process.cpuUsage();
    const data = await loadFrontendData(bundle, manifest);
    const used = process.cpuUsage(cpu);
    if (data.ja.mecab === undefined) throw new Error('the bundle start-up loaded no dictionary');
    return { ms: performance.now() - started, cpuMs: (used.user + used.system) / 1000, data };
  } finally {
    await rm(bundle, { recursive: true, force: true });
  }
}
