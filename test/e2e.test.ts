/**
 * The whole product on one machine: the real gateway (`wrangler dev`, workerd with D1, KV, R2 and Durable Objects
 * emulated) in front of two real GPU functions (Node processes running the engine on a tiny synthetic bundle),
 * driven by the official `openai` client and by `fetch`. Voices are created through the gateway; the function that
 * did not inspect the upload fetches the voice from the gateway when it first meets it.
 */
import decodeAudio from '@audio/decode';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CreatedApiKey, KeyUsage, UsageEvent } from '@gsv-edge/shared';
import { buildTinyBundle, referenceClip } from '../gpu-function/src/synthetic/tiny-bundle.ts';
import { startGatewayDev, type GatewayDev } from '../scripts/stack/gateway-dev.ts';
import { startGpuProcess, type GpuProcess } from '../scripts/stack/gpu-process.ts';
import { freePort, type StartedProcess } from '../scripts/stack/processes.ts';

const SIGNING_SECRET = 'end-to-end-signing-secret-0123456789abcdef';
const ADMIN_SECRET = 'end-to-end-admin-secret';
const verbose = process.env['GSV_E2E_VERBOSE'] === '1';

let root: string;
let gateway: GatewayDev;
let gpuA: GpuProcess;
let gpuB: GpuProcess;
let key: CreatedApiKey;
const admin = { authorization: `Bearer ${ADMIN_SECRET}`, 'content-type': 'application/json' };

function authorized(more: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json', ...more };
}

async function speech(body: Record<string, unknown>, more: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}/v1/audio/speech`, { method: 'POST', headers: authorized(more), body: JSON.stringify({ model: 'gsv', voice: 'narrator', ...body }) });
}

async function tts(body: Record<string, unknown>, more: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
  return fetch(`${gateway.url}/v1/tts`, { method: 'POST', headers: authorized(more), body: JSON.stringify({ voice: 'narrator', text_lang: 'en', ...body }), ...(signal ? { signal } : {}) });
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}

async function usage(): Promise<KeyUsage> {
  return (await fetch(`${gateway.url}/v1/usage`, { headers: authorized() })).json() as Promise<KeyUsage>;
}

async function until(condition: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${String(ms)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-e2e-'));
  const bundle = join(root, 'models', 'tiny');
  await buildTinyBundle(bundle);
  // The speaker-verification model versions, served beside v2 by the same GPU functions.
  const versionBundles = [join(root, 'models', 'tiny-pro'), join(root, 'models', 'tiny-plus')];
  await buildTinyBundle(versionBundles[0] ?? '', 12, 'v2Pro');
  await buildTinyBundle(versionBundles[1] ?? '', 13, 'v2ProPlus');
  // The CFM versions: T2S, then the DiT's Euler steps and a 48 kHz (v4) or 24 kHz (v3) vocoder.
  versionBundles.push(join(root, 'models', 'tiny-v4'), join(root, 'models', 'tiny-v3'));
  await buildTinyBundle(versionBundles[2] ?? '', 14, 'v4');
  await buildTinyBundle(versionBundles[3] ?? '', 15, 'v3');
  const [gatewayPort, portA, portB] = [await freePort(), await freePort(), await freePort()];
  const gatewayUrl = `http://127.0.0.1:${String(gatewayPort)}`;
  const gpuEnv = (name: string, limit: number) => ({
    SIGNING_SECRET,
    GSV_BUNDLES: [bundle, ...versionBundles].join(','),
    GSV_DATA_DIR: join(root, name),
    GATEWAY_URL: gatewayUrl,
    MAX_CONCURRENT_REQUESTS: String(limit),
    RUNAWAY_TOKENS_PER_PHONE: '4',
    LOG_LEVEL: verbose ? 'info' : 'warn',
  });
  await mkdir(join(root, 'state'), { recursive: true });
  [gpuA, gpuB, gateway] = await Promise.all([
    startGpuProcess({ port: portA, env: gpuEnv('gpu-a', 1), verbose }),
    startGpuProcess({ port: portB, env: gpuEnv('gpu-b', 8), verbose }),
    startGatewayDev({
      stateDir: join(root, 'state'),
      port: gatewayPort,
      vars: {
        GPU_ORIGINS: `http://127.0.0.1:${String(portA)},http://127.0.0.1:${String(portB)}`,
        ORIGIN_STRATEGY: 'round-robin',
        SIGNING_SECRET,
        ADMIN_SECRET,
        LOG_LEVEL: verbose ? 'info' : 'warn',
      },
      verbose,
    }),
  ]);
  const voice = await fetch(`${gateway.url}/admin/voices`, {
    method: 'POST',
    headers: admin,
    body: JSON.stringify({ id: 'narrator', model: 'tiny', prompt_text: 'This is how I sound.', prompt_lang: 'en', ref_audio: Buffer.from(referenceClip()).toString('base64') }),
  });
  if (voice.status !== 201) throw new Error(`voice creation failed: ${String(voice.status)} ${await voice.text()}`);
  const plan = { requests_per_minute: 10_000, max_concurrent: 16, price_per_1k_chars_micros: 20_000, cache_hit_price_per_1k_chars_micros: 2_000 };
  const created = await fetch(`${gateway.url}/admin/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'e2e', plan }) });
  key = (await created.json()) as CreatedApiKey;
}, 300_000);

afterAll(async () => {
  // Any of them may be missing if beforeAll failed part way.
  const started: (StartedProcess | undefined)[] = [gateway, gpuA, gpuB];
  await Promise.all(started.map(async (process) => process?.stop()));
  await rm(root, { recursive: true, force: true });
}, 60_000);

describe('the whole stack', () => {
  it('speaks with the official openai client and no options: playable mp3 (OpenAI\'s default format)', async () => {
    const openai = new OpenAI({ apiKey: key.secret, baseURL: `${gateway.url}/v1` });
    const answer = await openai.audio.speech.create({ model: 'gsv', voice: 'narrator', input: 'Hello from the whole stack.' });
    expect(answer.headers.get('content-type')).toBe('audio/mpeg');
    const { channelData, sampleRate } = await decodeAudio(new Uint8Array(await answer.arrayBuffer()));
    expect(sampleRate).toBe(32000);
    expect(channelData[0]?.length ?? 0).toBeGreaterThan(32000 * 0.5);
  });

  it.each(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const)('answers response_format %s with audio of the length the GPU function reports', async (format) => {
    const answer = await speech({ input: `Format ${format} speaks.`, response_format: format });
    expect(answer.status).toBe(200);
    const bytes = new Uint8Array(await answer.arrayBuffer());
    const seconds = Number(answer.headers.get('x-gsv-audio-seconds') ?? Number.NaN);
    if (format === 'pcm') {
      expect(bytes.length % 2).toBe(0);
      expect(bytes.length).toBeGreaterThan(32000);
      return;
    }
    const { channelData, sampleRate } = await decodeAudio(bytes);
    const duration = (channelData[0]?.length ?? 0) / sampleRate;
    expect(duration).toBeGreaterThan(0.5);
    // Streamed answers (OpenAI streams speech) carry no length header; where one is sent, it matches.
    if (Number.isFinite(seconds)) expect(duration).toBeCloseTo(seconds, 0);
  });

  it('streams OpenAI SSE events that decode to the audio', async () => {
    const answer = await speech({ input: 'Events, please.', response_format: 'wav', stream_format: 'sse' });
    const events = (await answer.text())
      .split('\n\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => JSON.parse(block.slice(6)) as { type: string; audio?: string });
    expect(events.at(-1)?.type).toBe('speech.audio.done');
    const audio = Buffer.concat(events.filter((event) => event.type === 'speech.audio.delta').map((event) => Buffer.from(event.audio ?? '', 'base64')));
    expect(audio.subarray(0, 4).toString('latin1')).toBe('RIFF');
  });

  it('streams the native route, then replays the same request from the cache with identical bytes', async () => {
    const before = (await usage()).totals;
    const miss = await tts({ text: 'Cached once, played twice.', stream: true });
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(miss.headers.get('x-gsv-model')).toBe('tiny');
    const missBytes = new Uint8Array(await miss.arrayBuffer());
    await until(async () => (await usage()).totals.requests === before.requests + 1, 10_000, 'the miss is billed');
    const hit = await tts({ text: 'Cached once, played twice.', stream: true });
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(new Uint8Array(await hit.arrayBuffer())).toEqual(missBytes);
    await until(async () => (await usage()).totals.requests === before.requests + 2, 10_000, 'the hit is billed');
    const after = (await usage()).totals;
    expect(after.cache_hits).toBe(before.cache_hits + 1);
  });

  it('serves the voice from both GPU functions, though only one inspected the upload', async () => {
    for (let i = 0; i < 4; i += 1) {
      const answer = await tts({ text: `Round robin ${String(i)}.`, format: 'wav' });
      expect(answer.status).toBe(200);
      await answer.arrayBuffer();
    }
    expect(await metric(gpuA.url, 'gsv_requests_total{outcome="completed"}')).toBeGreaterThan(0);
    expect(await metric(gpuB.url, 'gsv_requests_total{outcome="completed"}')).toBeGreaterThan(0);
  });

  it.each([
    ['tiny-pro', 'v2Pro'],
    ['tiny-plus', 'v2ProPlus'],
  ])('speaks a voice of the %s bundle (SoVITS %s, speaker-verification fusion) from either GPU function', async (model) => {
    const voice = `voice-${model}`;
    const created = await fetch(`${gateway.url}/admin/voices`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ id: voice, model, prompt_text: 'This is how I sound.', prompt_lang: 'en', ref_audio: Buffer.from(referenceClip()).toString('base64') }),
    });
    expect(created.status).toBe(201);
    // Round robin: the second request lands on the function that did not inspect the upload.
    for (let i = 0; i < 2; i += 1) {
      const answer = await tts({ voice, text: `A ${model} voice, take ${String(i)}.`, format: 'wav' });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-gsv-model')).toBe(model);
      const { channelData, sampleRate } = await decodeAudio(new Uint8Array(await answer.arrayBuffer()));
      expect(sampleRate).toBe(32000);
      expect(channelData[0]?.length ?? 0).toBeGreaterThan(32000 * 0.3);
      expect(channelData[0]?.some((x) => Math.abs(x) > 1e-3)).toBe(true);
    }
  });

  it.each([
    ['tiny-v4', 'v4', 48000],
    ['tiny-v3', 'v3', 24000],
  ])('speaks a voice of the %s bundle (SoVITS %s, CFM + vocoder) at %i Hz in every container, and replays it from the cache', async (model, _version, rate) => {
    const voice = `voice-${model}`;
    const upload = { id: voice, model, prompt_text: 'This is how I sound.', prompt_lang: 'en', ref_audio: Buffer.from(referenceClip()).toString('base64') };
    // GPT-SoVITS reads only the main reference of a v3/v4 voice: an auxiliary one is refused, not ignored.
    const refused = await fetch(`${gateway.url}/admin/voices`, { method: 'POST', headers: admin, body: JSON.stringify({ ...upload, aux_ref_audio: [upload.ref_audio] }) });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { param: string } }).error.param).toBe('aux_ref_audio');
    const created = await fetch(`${gateway.url}/admin/voices`, { method: 'POST', headers: admin, body: JSON.stringify(upload) });
    expect(created.status).toBe(201);
    expect(((await created.json()) as { sample_rate: number }).sample_rate).toBe(rate);
    for (const format of ['wav', 'mp3', 'opus'] as const) {
      const answer = await tts({ voice, text: `A ${model} voice in ${format}.`, format, sample_steps: 4 });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('x-gsv-model')).toBe(model);
      const { channelData, sampleRate } = await decodeAudio(new Uint8Array(await answer.arrayBuffer()));
      // Opus always decodes at 48 kHz; the header names the rate of the bytes sent.
      expect(sampleRate).toBe(format === 'opus' ? 48000 : rate);
      expect(answer.headers.get('x-gsv-sample-rate')).toBe(String(sampleRate));
      expect(channelData[0]?.length ?? 0).toBeGreaterThan(sampleRate * 0.3);
      expect(channelData[0]?.some((x) => Math.abs(x) > 1e-3)).toBe(true);
    }
    const again = await tts({ voice, text: `A ${model} voice in wav.`, format: 'wav', sample_steps: 4 });
    expect(again.headers.get('x-cache')).toBe('HIT');
    await again.arrayBuffer();
  });

  it('cancels the engine request of a client that leaves mid-stream, and bills it as the rules say', async () => {
    const before = (await usage()).totals.requests;
    const controller = new AbortController();
    const answer = await tts({ text: Array.from({ length: 60 }, () => 'Keep talking.').join(' '), stream: true, format: 'pcm', seed: -1 }, {}, controller.signal);
    const reader = (answer.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false);
    controller.abort();
    await until(async () => (await metric(gpuA.url, 'gsv_requests_total{outcome="failed"}')) + (await metric(gpuB.url, 'gsv_requests_total{outcome="failed"}')) > 0, 10_000, 'the engine request ends');
    await until(async () => (await usage()).totals.requests === before + 1, 10_000, 'the abandoned answer is billed');
    const events = await fetch(`${gateway.url}/admin/usage/events?key_id=${key.id}`, { headers: admin });
    const data = ((await events.json()) as { data: UsageEvent[] }).data;
    expect(data.some((event) => event.outcome === 'client_aborted')).toBe(true);
  });

  it('fails over when a GPU function is overloaded (503), so every request is answered', async () => {
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) => tts({ text: `Busy ${String(i)}. ${Array.from({ length: 8 }, () => 'More words.').join(' ')}`, format: 'wav', seed: -1 })),
    );
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      await answer.arrayBuffer();
    }
    expect(await metric(gpuA.url, 'gsv_errors_total{code="overloaded"}')).toBeGreaterThan(0);
  });

  it('answers on the other GPU function when one is killed before its first byte', async () => {
    await gpuB.stop('SIGKILL');
    for (let i = 0; i < 3; i += 1) {
      const answer = await tts({ text: `Still here ${String(i)}.`, format: 'wav' });
      expect(answer.status).toBe(200);
      expect((await answer.arrayBuffer()).byteLength).toBeGreaterThan(44);
    }
  });
});
