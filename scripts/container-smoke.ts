/**
 * The container smoke test behind scripts/container-smoke.sh: `docker build -f Dockerfile.gpu`, then `docker run`
 * on a tiny synthetic bundle, wait for `/ping`, create a voice through a stand-in gateway on the host (the image
 * fetches it as it would from the real gateway), and check one signed synthesis answers a WAV. Needs Docker; with
 * SMOKE_CPU=1 the image runs on the CPU provider, otherwise with `--gpus all` and CUDA.
 * @module
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseOrThrow, signRequest, ttsRequestSchema, type SynthesisJob } from '@gsv-edge/shared';
import { startVoiceGatewayStub } from '../gpu-function/src/server/testing/voice-gateway-stub.ts';
import { buildTinyBundle, referenceClip } from '../gpu-function/src/synthetic/tiny-bundle.ts';
import { PROJECT_ROOT } from './stack/gateway-dev.ts';
import { freePort, waitForUrl } from './stack/processes.ts';

const IMAGE = process.env['SMOKE_IMAGE'] ?? 'gsv-edge-gpu:smoke';
const cpu = process.env['SMOKE_CPU'] === '1';
const secret = randomBytes(32).toString('hex');

function docker(args: readonly string[], inherit = true): string {
  const result = spawnSync('docker', args, { cwd: PROJECT_ROOT, stdio: inherit ? 'inherit' : 'pipe', encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`docker ${args.join(' ')} failed (${String(result.status)}): ${result.stderr}`);
  // With inherited output there is nothing to return.
  return typeof result.stdout === 'string' ? result.stdout : '';
}

async function main(): Promise<void> {
  docker(['build', '-f', 'Dockerfile.gpu', '-t', IMAGE, '.']);
  const root = await mkdtemp(join(tmpdir(), 'gsv-container-smoke-'));
  const gateway = await startVoiceGatewayStub(secret, '0.0.0.0');
  const port = await freePort();
  const name = `gsv-smoke-${String(process.pid)}`;
  try {
    await buildTinyBundle(join(root, 'tiny'));
    const gatewayPort = new URL(gateway.url).port;
    docker([
      'run', '-d', '--rm', '--name', name, '-p', `127.0.0.1:${String(port)}:8080`, '--add-host=host.docker.internal:host-gateway',
      ...(cpu ? ['-e', 'ORT_EP=cpu'] : ['--gpus', 'all']),
      '-v', `${root}:/models:ro`, '-e', `SIGNING_SECRET=${secret}`, '-e', 'GSV_BUNDLES=/models/tiny',
      '-e', `GATEWAY_URL=http://host.docker.internal:${gatewayPort}`, '-e', `PUBLIC_ORIGIN=http://127.0.0.1:${String(port)}`, IMAGE,
    ]);
    const url = `http://127.0.0.1:${String(port)}`;
    await waitForUrl(`${url}/ping`, (response) => response.status === 200, 600_000, undefined, 'the container');
    process.stdout.write('ping: 200\n');
    const voice = await gateway.addVoice(url, { id: 'smoke', model: 'tiny', promptText: 'This is how I sound.', reference: referenceClip() });
    const { params } = parseOrThrow(ttsRequestSchema(), { text: 'Hello from the container.', voice: 'smoke', text_lang: 'en', format: 'wav' });
    const job: SynthesisJob = { request_id: 'smoke-1', client_request_id: null, params, seed: 1, voice_version: voice.version, synthesis_key: null, stream: false };
    const body = JSON.stringify(job);
    const headers = await signRequest({ secret, audience: url, method: 'POST', pathAndQuery: '/internal/v1/synthesize', body });
    const answer = await fetch(`${url}/internal/v1/synthesize`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
    const audio = new Uint8Array(await answer.arrayBuffer());
    if (answer.status !== 200 || new TextDecoder().decode(audio.subarray(0, 4)) !== 'RIFF') throw new Error(`synthesis answered ${String(answer.status)}: ${new TextDecoder().decode(audio.subarray(0, 300))}`);
    process.stdout.write(`synthesis: ${String(audio.length)} bytes of WAV, ${answer.headers.get('x-gsv-audio-seconds') ?? '?'} s, model ${answer.headers.get('x-gsv-model') ?? '?'}\n`);
    process.stdout.write('container smoke test passed\n');
  } finally {
    spawnSync('docker', ['logs', '--tail', '50', name], { stdio: 'inherit' });
    spawnSync('docker', ['stop', '-t', '30', name], { stdio: 'ignore' });
    await gateway.close();
    await rm(root, { recursive: true, force: true });
  }
}

await main();
