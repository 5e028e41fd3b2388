/**
 * `npm start`: the whole product on this machine — a GPU function (CPU provider) and the gateway (`wrangler dev`) —
 * with what a first run lacks created under `.gsv-edge/` (git-ignored): dev secrets, the local D1 schema, a default
 * model bundle with a voice named `default`, and a test API key. Ctrl-C stops both.
 *
 *   npm start                                 # the default voice (synthetic weights: it babbles)
 *   GSV_BUNDLES=models/my-model npm start     # your own bundles (then create voices through /admin/voices)
 *   npm start -- --verbose                    # every log line of both processes
 *
 * Ports: the gateway on GATEWAY_PORT (8787), the GPU function on GPU_PORT (9880).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildTinyBundle, referenceClip } from '../gpu-function/src/synthetic/tiny-bundle.ts';
import { PROJECT_ROOT, startGatewayDev, type GatewayDev } from './stack/gateway-dev.ts';
import { startGpuProcess, type GpuProcess } from './stack/gpu-process.ts';

const STATE = join(PROJECT_ROOT, '.gsv-edge');
const SECRETS_FILE = join(STATE, '.dev.vars');
const KEY_FILE = join(STATE, 'dev-api-key');
const DEFAULT_BUNDLE = join(STATE, 'models', 'default');

const { values: flags } = parseArgs({ options: { verbose: { type: 'boolean', default: false } } });
const verbose = flags.verbose;
const gatewayPort = Number(process.env['GATEWAY_PORT'] ?? 8787);
const gpuPort = Number(process.env['GPU_PORT'] ?? 9880);

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Secrets made once per checkout and kept, so keys and voices survive restarts. */
async function devSecrets(): Promise<{ signing: string; admin: string }> {
  const known = existsSync(SECRETS_FILE) ? Object.fromEntries((await readFile(SECRETS_FILE, 'utf8')).split('\n').filter((line) => line.includes('=')).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)])) : {};
  const secrets = {
    signing: known['SIGNING_SECRET'] ?? randomBytes(32).toString('hex'),
    admin: known['ADMIN_SECRET'] ?? `admin_${randomBytes(24).toString('hex')}`,
  };
  await writeFile(SECRETS_FILE, `SIGNING_SECRET=${secrets.signing}\nADMIN_SECRET=${secrets.admin}\n`, { mode: 0o600 });
  return secrets;
}

async function bundles(): Promise<{ dirs: string[]; usingDefault: boolean }> {
  const configured = (process.env['GSV_BUNDLES'] ?? '').split(',').map((dir) => dir.trim()).filter((dir) => dir !== '');
  if (configured.length > 0) return { dirs: configured.map((dir) => resolve(dir)), usingDefault: false };
  if (!existsSync(join(DEFAULT_BUNDLE, 'manifest.json'))) {
    say('first run: building the default model bundle from synthetic weights (about 20 s)...');
    await mkdir(join(STATE, 'models'), { recursive: true });
    await buildTinyBundle(DEFAULT_BUNDLE);
  }
  return { dirs: [DEFAULT_BUNDLE], usingDefault: true };
}

async function adminCall(gateway: string, admin: string, path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return fetch(`${gateway}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}

async function ensureDefaultVoice(gateway: string, admin: string): Promise<void> {
  const listed = (await (await adminCall(gateway, admin, '/admin/voices')).json()) as { data: { id: string }[] };
  if (listed.data.some((voice) => voice.id === 'default')) return;
  const created = await adminCall(gateway, admin, '/admin/voices', {
    method: 'POST',
    body: { id: 'default', model: basename(DEFAULT_BUNDLE), prompt_text: 'This is how I sound.', prompt_lang: 'en', ref_audio: Buffer.from(referenceClip()).toString('base64'), description: 'Synthetic weights: it babbles.' },
  });
  if (created.status !== 201) throw new Error(`creating the default voice failed: ${String(created.status)} ${await created.text()}`);
}

/** The key in .gsv-edge/dev-api-key if the gateway still knows it, else a new one written there. */
async function devKey(gateway: string, admin: string): Promise<string> {
  if (existsSync(KEY_FILE)) {
    const known = (await readFile(KEY_FILE, 'utf8')).trim();
    const check = await fetch(`${gateway}/v1/usage`, { headers: { authorization: `Bearer ${known}` } });
    await check.arrayBuffer();
    if (check.ok) return known;
  }
  const plan = { requests_per_minute: 600, max_concurrent: 16, monthly_character_quota: null, price_per_1k_chars_micros: 15_000, cache_hit_price_per_1k_chars_micros: 1_500 };
  const created = await adminCall(gateway, admin, '/admin/keys', { method: 'POST', body: { name: 'npm start', mode: 'test', plan } });
  if (created.status !== 201) throw new Error(`creating the dev API key failed: ${String(created.status)} ${await created.text()}`);
  const secret = ((await created.json()) as { secret: string }).secret;
  await writeFile(KEY_FILE, `${secret}\n`, { mode: 0o600 });
  return secret;
}

function banner(gateway: string, gpu: string, key: string, usingDefault: boolean, models: readonly string[]): void {
  say('');
  say('gsv-edge is running.');
  say(`  gateway        ${gateway}   (wrangler dev; admin secret in .gsv-edge/.dev.vars)`);
  say(`  GPU function   ${gpu}   (CPU; model${models.length > 1 ? 's' : ''} ${models.join(', ')})`);
  say(`  API key        ${key}   (also in .gsv-edge/dev-api-key)`);
  say('');
  if (usingDefault) {
    say('Try it:');
    say(`  curl -s ${gateway}/v1/audio/speech -H "Authorization: Bearer $(cat .gsv-edge/dev-api-key)" -H 'Content-Type: application/json' \\`);
    say(`    -d '{"model": "gsv", "voice": "default", "input": "Hello from gsv-edge!", "response_format": "wav"}' -o hello.wav`);
    say('');
    say('The default voice BABBLES: its model has random weights (no GPT-SoVITS weights can ship with gsv-edge), so it');
    say('speaks nonsense of the right length. To serve a real model:');
    say('  npx gsv-edge bundle --gpt your.ckpt --sovits your.pth --bert chinese-roberta-wwm-ext-large --hubert chinese-hubert-base --out models/my-model');
    say('  GSV_BUNDLES=models/my-model npm start');
  } else {
    say('Create a voice (3-10 s reference recording, its transcript):');
    say(`  curl -s ${gateway}/admin/voices -H "Authorization: Bearer $(grep ADMIN_SECRET .gsv-edge/.dev.vars | cut -d= -f2)" -H 'Content-Type: application/json' \\`);
    say(`    -d "{\\"id\\": \\"my-voice\\", \\"model\\": \\"${models[0] ?? 'my-model'}\\", \\"prompt_text\\": \\"...\\", \\"prompt_lang\\": \\"zh\\", \\"ref_audio\\": \\"$(base64 -w0 ref.wav)\\"}"`);
  }
  say('');
  say('Ctrl-C stops both.');
}

async function main(): Promise<void> {
  const started = Date.now();
  await mkdir(join(STATE, 'wrangler'), { recursive: true });
  const secrets = await devSecrets();
  const models = await bundles();
  const gatewayUrl = `http://127.0.0.1:${String(gatewayPort)}`;
  say(`starting the GPU function (port ${String(gpuPort)}) and the gateway (port ${String(gatewayPort)})...`);
  let gpu: GpuProcess | undefined;
  let gateway: GatewayDev | undefined;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('stopping...');
    await Promise.all([gateway?.stop('SIGTERM', 5000), gpu?.stop('SIGTERM', 15_000)]);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    [gpu, gateway] = await Promise.all([
      startGpuProcess({
        port: gpuPort,
        env: {
          SIGNING_SECRET: secrets.signing,
          GSV_BUNDLES: models.dirs.join(','),
          GSV_DATA_DIR: join(STATE, 'gpu-data'),
          GATEWAY_URL: gatewayUrl,
          LOG_LEVEL: verbose ? 'info' : 'warn',
          // Random weights never end a segment on their own: the guard keeps the babble near speech length.
          ...(models.usingDefault ? { RUNAWAY_TOKENS_PER_PHONE: '4' } : {}),
        },
        verbose,
      }),
      startGatewayDev({
        stateDir: join(STATE, 'wrangler'),
        port: gatewayPort,
        vars: { GPU_ORIGINS: `http://127.0.0.1:${String(gpuPort)}`, SIGNING_SECRET: secrets.signing, ADMIN_SECRET: secrets.admin, LOG_LEVEL: verbose ? 'info' : 'warn' },
        verbose,
      }),
    ]);
    if (models.usingDefault) await ensureDefaultVoice(gateway.url, secrets.admin);
    const key = await devKey(gateway.url, secrets.admin);
    banner(gateway.url, gpu.url, key, models.usingDefault, models.dirs.map((dir) => basename(dir)));
    say(`(ready in ${String(Math.round((Date.now() - started) / 1000))} s)`);
  } catch (error) {
    process.stderr.write(`npm start failed: ${error instanceof Error ? error.message : String(error)}\n`);
    await stop(1);
    return;
  }
  for (const [name, child] of [['GPU function', gpu.child], ['gateway', gateway.child]] as const) {
    child.once('exit', (code) => {
      if (stopping) return;
      process.stderr.write(`the ${name} exited (${String(code)}); stopping the other.\n`);
      void stop(1);
    });
  }
}

await main();
