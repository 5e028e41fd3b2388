/**
 * The GPU function over HTTP, on a tiny synthetic bundle: the health and metrics routes, signed internal routes,
 * voices fetched from a (stand-in) gateway, every audio format whole and streamed, bounded admission, a client that
 * leaves, a failure after the first byte, an event loop that inference never blocks, and draining on shutdown.
 */
import decodeAudio from '@audio/decode';
import { parseOrThrow, signRequest, ttsRequestSchema, type AudioFormat, type SynthesisJob, type Voice } from '@gsv-edge/shared';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { join } from 'node:path';
import { Pool } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RUNTIME_CONFIG } from '../engine/index.ts';
import { buildTinyBundle, referenceClip } from '../synthetic/tiny-bundle.ts';
import { MAX_INSPECT_BODY_BYTES, MAX_OTHER_BODY_BYTES, MAX_SYNTHESIS_JOB_BODY_BYTES } from './app.ts';
import type { ServerConfig } from './config.ts';
import { createLogger } from './log.ts';
import { startServer, type RunningServer } from './start.ts';
import { startVoiceGatewayStub, type VoiceGatewayStub } from './testing/voice-gateway-stub.ts';

const SECRET = 'gpu-function-test-secret-0123456789abcdef';
const LONG_TEXT = Array.from({ length: 120 }, () => 'Keep talking.').join(' ');
let root: string;
let gateway: VoiceGatewayStub;
let gatewayUrl: string;
let server: RunningServer;
let voice: Voice;

function config(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return {
    host: '127.0.0.1',
    port: 0,
    secrets: [SECRET],
    publicOrigin: null,
    bundles: [join(root, 'models', 'tiny')],
    dataDir: join(root, `data-${String(Math.random()).slice(2)}`),
    gatewayUrl,
    maxConcurrentRequests: 8,
    maxConcurrentInspections: 2,
    nonceStoreMaxEntries: 10_000,
    signatureWindowSeconds: 300,
    requestTimeoutMs: 60_000,
    drainTimeoutMs: 10_000,
    logLevel: 'silent',
    runtime: DEFAULT_RUNTIME_CONFIG,
    limits: { maxRunning: 4, runawayTokensPerPhone: 4 },
    ...overrides,
  };
}

async function signed(base: string, path: string, init: { method?: string; body?: string; signal?: AbortSignal } = {}): Promise<Response> {
  const method = init.method ?? 'GET';
  const body = init.body ?? '';
  const headers = await signRequest({ secret: SECRET, audience: base, method, pathAndQuery: path, body });
  return fetch(`${base}${path}`, { method, headers: { ...headers, 'content-type': 'application/json' }, ...(method === 'GET' ? {} : { body }), ...(init.signal ? { signal: init.signal } : {}) });
}

function job(text: string, format: AudioFormat, stream: boolean, overrides: Partial<SynthesisJob> = {}): SynthesisJob {
  const { params } = parseOrThrow(ttsRequestSchema(), { text, voice: 'narrator', text_lang: 'en', format, fragment_interval: 0.05 });
  return { request_id: crypto.randomUUID(), client_request_id: null, params, seed: 7, voice_version: voice.version, synthesis_key: null, stream, ...overrides };
}

function synthesize(base: string, body: SynthesisJob, signal?: AbortSignal): Promise<Response> {
  return signed(base, '/internal/v1/synthesize', { method: 'POST', body: JSON.stringify(body), ...(signal ? { signal } : {}) });
}

async function metric(base: string, name: string): Promise<number> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const line = text.split('\n').find((entry) => entry.startsWith(name));
  return line === undefined ? Number.NaN : Number(line.split(' ').at(-1));
}

async function until(condition: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${String(ms)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-server-'));
  await buildTinyBundle(join(root, 'models', 'tiny'));
  gateway = await startVoiceGatewayStub(SECRET);
  gatewayUrl = gateway.url;

  server = await startServer(config(), { logger: createLogger('silent') });
  await server.ready;
  // The gateway's voice flow: the function inspects the upload, the gateway stores it and derives the version.
  voice = await gateway.addVoice(server.url, { id: 'narrator', model: 'tiny', promptText: 'This is how I sound.', reference: referenceClip() });
}, 180_000);

afterAll(async () => {
  await server.drain(0);
  await gateway.close();
  await rm(root, { recursive: true, force: true });
});

describe('GPU function server', () => {
  it('answers /ping with its models when ready, /healthz, /readyz and Prometheus metrics', async () => {
    const ping = await fetch(`${server.url}/ping`);
    expect(ping.status).toBe(200);
    expect(await ping.json()).toMatchObject({ status: 'ready', models: [{ object: 'model', id: 'tiny', sample_rate: 32000 }] });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of [
      'gsv_requests_in_flight',
      'gsv_inspections_in_flight',
      'gsv_engine_requests_in_flight',
      'gsv_queue_depth',
      'gsv_running_batch_size',
      'gsv_kv_pool_bytes',
      'gsv_kv_pool_slots_in_use',
      'gsv_time_to_first_audio_seconds',
      'gsv_voice_feature_cache_hits_total',
      'gsv_voice_feature_cache_entries',
      'gsv_voice_feature_cache_bytes',
      'gsv_voice_definitions',
      'gsv_engine_thread_heap_used_bytes',
      'gsv_nonce_store_entries',
      'gsv_process_open_fds',
      'gsv_nodejs_active_resources_total',
      'gsv_event_loop_delay_p99_seconds',
    ]) {
      expect(metrics).toContain(name);
    }
    // The warm-up synthesis ran the decode graph: its runs and input/output bytes are counted; on the CPU provider
    // nothing crossed to a device.
    const decode = 'graph="tiny/fp32/t2s-decode.onnx"';
    expect(await metric(server.url, `gsv_graph_runs_total{${decode}}`)).toBeGreaterThan(0);
    expect(await metric(server.url, `gsv_graph_io_bytes_total{${decode}}`)).toBeGreaterThan(0);
    expect(await metric(server.url, `gsv_host_device_bytes_total{${decode},direction="host_to_device"}`)).toBe(0);
  });

  it('takes internal calls only when signed, once each, and lists its models', async () => {
    const unsigned = await fetch(`${server.url}/internal/v1/models`);
    expect(unsigned.status).toBe(401);
    const headers = await signRequest({ secret: SECRET, audience: server.url, method: 'GET', pathAndQuery: '/internal/v1/models', body: '' });
    const models = await fetch(`${server.url}/internal/v1/models`, { headers });
    expect(await models.json()).toMatchObject({ object: 'list', data: [{ id: 'tiny' }] });
    const replayed = await fetch(`${server.url}/internal/v1/models`, { headers });
    expect(await replayed.json()).toMatchObject({ error: { code: 'replayed_request' } });
    // Signed for another GPU function (the security suite replayed these from one function to the other).
    const elsewhere = await signRequest({ secret: SECRET, audience: 'http://127.0.0.1:1', method: 'GET', pathAndQuery: '/internal/v1/models', body: '' });
    expect(await (await fetch(`${server.url}/internal/v1/models`, { headers: elsewhere })).json()).toMatchObject({ error: { code: 'invalid_signature' } });
  });

  it('refuses an upload that is not 3-10 s of audio, naming the field', async () => {
    const upload = { id: 'bad', model: 'tiny', prompt_text: '', prompt_lang: 'en', ref_audio: Buffer.from(referenceClip(1)).toString('base64') };
    const answer = await signed(server.url, '/internal/v1/voices/inspect', { method: 'POST', body: JSON.stringify(upload) });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ error: { code: 'invalid_reference_audio', param: 'ref_audio' } });
  });

  it('answers a whole WAV with its length, model and sample rate in the headers', async () => {
    const answer = await synthesize(server.url, job('Hello there. How are you?', 'wav', false));
    expect(answer.status).toBe(200);
    const bytes = new Uint8Array(await answer.arrayBuffer());
    expect(answer.headers.get('content-type')).toBe('audio/wav');
    expect(answer.headers.get('x-gsv-model')).toBe('tiny');
    expect(answer.headers.get('x-gsv-sample-rate')).toBe('32000');
    expect(Number(answer.headers.get('content-length'))).toBe(bytes.length);
    expect(new TextDecoder().decode(bytes.subarray(0, 4))).toBe('RIFF');
    expect(Number(answer.headers.get('x-gsv-audio-seconds'))).toBeCloseTo((bytes.length - 44) / 2 / 32000, 4);
  });

  it.each(['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm'] as const)('encodes %s, whole and streamed, into audio a decoder reads at the right length', async (format) => {
    const whole = await synthesize(server.url, job('Every format speaks.', format, false));
    expect(whole.status).toBe(200);
    const seconds = Number(whole.headers.get('x-gsv-audio-seconds'));
    const wholeBytes = new Uint8Array(await whole.arrayBuffer());
    const streamed = await synthesize(server.url, job('Every format speaks.', format, true));
    const streamedBytes = new Uint8Array(await streamed.arrayBuffer());
    expect(streamed.headers.get('content-type')).toBe(whole.headers.get('content-type'));
    expect(streamed.headers.get('content-length')).toBeNull();
    if (format === 'pcm') {
      expect(wholeBytes.length / 2 / 32000).toBeCloseTo(seconds, 4);
      expect(streamedBytes).toEqual(wholeBytes);
      return;
    }
    for (const bytes of [wholeBytes, streamedBytes]) {
      const { channelData, sampleRate } = await decodeAudio(bytes);
      const duration = (channelData[0]?.length ?? 0) / sampleRate;
      expect(channelData).toHaveLength(1);
      // Lossy codecs pad to whole frames (mp3 1152 samples, aac 1024 at most twice over).
      expect(duration).toBeGreaterThan(seconds - 0.01);
      expect(duration).toBeLessThan(seconds + 0.12);
    }
  });

  it('refuses a stale voice version and an unknown voice before any work', async () => {
    const stale = await synthesize(server.url, job('Old voice.', 'wav', false, { voice_version: 'f'.repeat(64) }));
    expect(await stale.json()).toMatchObject({ error: { code: 'voice_version_mismatch' } });
    const unknown = job('Nobody.', 'wav', false);
    const missing = await synthesize(server.url, { ...unknown, params: { ...unknown.params, voice: 'nobody' } });
    expect(missing.status).toBe(404);
  });

  it('keeps its event loop free while the engine works (inference runs in a worker thread)', async () => {
    const long = synthesize(server.url, job(LONG_TEXT, 'pcm', false));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const delays: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const started = performance.now();
      await fetch(`${server.url}/healthz`);
      delays.push(performance.now() - started);
    }
    expect(Math.max(...delays)).toBeLessThan(250);
    await (await long).arrayBuffer();
  });
});

// Found by scripts/reliability/bad-input.ts: each was a 500, a dropped connection, or an envelope naming a field
// the request does not have.
describe('GPU function bad input', () => {
  const paramOf = async (answer: Response): Promise<unknown> => ((await answer.json()) as { error: { param: unknown } }).error.param;

  it('refuses a body past its route\'s limit with 413 before keeping it or checking a signature', async () => {
    const big = new Uint8Array(MAX_SYNTHESIS_JOB_BODY_BYTES + 1).fill(0x20);
    const sized = await fetch(`${server.url}/internal/v1/synthesize`, { method: 'POST', body: big });
    expect(sized.status).toBe(413);
    expect(await sized.json()).toMatchObject({ error: { code: 'payload_too_large' } });
    let sent = 0;
    const chunks = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 4) controller.close();
        else controller.enqueue(new Uint8Array(MAX_OTHER_BODY_BYTES / 2).fill(0x20));
      },
    });
    const chunked = await fetch(`${server.url}/internal/v1/models`, { method: 'POST', body: chunks, duplex: 'half' });
    expect(chunked.status).toBe(413);
    // The connection stays usable for the next request.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  // Found by the bad-input suite: a chunked upload megabytes past the inspect route's limit got EPIPE or a reset
  // before the 413 could be read; the rest of such a body is now read and dropped (up to as much again) first.
  it('lets clients that keep sending megabytes past the upload limit read their 413', async () => {
    const pool = new Pool(server.url, { connections: 2, pipelining: 1 });
    try {
      const piece = Buffer.alloc(256 * 1024, 0x20);
      const pieces = Math.ceil((MAX_INSPECT_BODY_BYTES + 3 * 1024 * 1024) / piece.length);
      const answers = await Promise.all(
        [0, 1, 2].map(async () => {
          const body = Readable.from(Array.from({ length: pieces }, () => piece));
          const answer = await pool.request({ path: '/internal/v1/voices/inspect', method: 'POST', body });
          return { status: answer.statusCode, code: ((await answer.body.json()) as { error: { code: string } }).error.code };
        }),
      );
      expect(answers).toEqual([0, 1, 2].map(() => ({ status: 413, code: 'payload_too_large' })));
    } finally {
      await pool.destroy();
    }
  });

  it('refuses a request id that a header cannot carry, naming it (was a text/plain 500)', async () => {
    const answer = await synthesize(server.url, job('Hi.', 'wav', false, { request_id: '뢃뢃뢃' }));
    expect(answer.status).toBe(400);
    expect(await paramOf(answer)).toBe('request_id');
  });

  it('names the job\'s own field when the engine refuses a parameter', async () => {
    const unspeakable = await synthesize(server.url, job('?!', 'wav', false));
    expect(unspeakable.status).toBe(400);
    expect(await paramOf(unspeakable)).toBe('params.text');
    const unknown = await synthesize(server.url, { ...job('Hi.', 'wav', false), params: { ...job('Hi.', 'wav', false).params, voice: 'nobody' } });
    expect(unknown.status).toBe(404);
    expect(await paramOf(unknown)).toBe('params.voice');
  });

  it('names the prompt fields when an upload\'s transcript cannot be read', async () => {
    const upload = { id: 'prompt-check', model: 'tiny', prompt_text: '안녕하세요', prompt_lang: 'ko', ref_audio: Buffer.from(referenceClip()).toString('base64') };
    const language = await signed(server.url, '/internal/v1/voices/inspect', { method: 'POST', body: JSON.stringify(upload) });
    expect(language.status).toBe(400);
    expect(await paramOf(language)).toBe('prompt_lang');
  });
});

describe('GPU function admission, cancellation, failures and shutdown', () => {
  let limited: RunningServer;
  beforeAll(async () => {
    limited = await startServer(config({ maxConcurrentRequests: 1, requestTimeoutMs: 2500 }), { logger: createLogger('silent') });
    await limited.ready;
  }, 120_000);

  it('answers 503 overloaded with Retry-After past its limit, before any work', async () => {
    const controller = new AbortController();
    const first = await synthesize(limited.url, job(LONG_TEXT, 'pcm', true), controller.signal);
    const second = await synthesize(limited.url, job('Me too.', 'wav', false));
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('1');
    expect(await second.json()).toMatchObject({ error: { code: 'overloaded' } });
    controller.abort();
    await first.body?.cancel().catch(() => undefined);
    await until(async () => (await metric(limited.url, 'gsv_requests_in_flight')) === 0, 5000, 'the slot is freed');
    expect((await synthesize(limited.url, job('Now me.', 'wav', false))).status).toBe(200);
  });

  it('stops working on a request whose client leaves: its sequences leave the batch', async () => {
    const controller = new AbortController();
    const answer = await synthesize(limited.url, job(LONG_TEXT, 'pcm', true), controller.signal);
    const reader = (answer.body as ReadableStream<Uint8Array>).getReader();
    expect((await reader.read()).done).toBe(false);
    await until(async () => (await metric(limited.url, 'gsv_running_batch_size')) > 0, 5000, 'decoding');
    controller.abort();
    await until(async () => (await metric(limited.url, 'gsv_running_batch_size')) === 0 && (await metric(limited.url, 'gsv_queue_depth')) === 0, 5000, 'the engine drops the request');
    await until(async () => (await metric(limited.url, 'gsv_requests_in_flight')) === 0, 5000, 'the slot is freed');
  });

  it('breaks the download when synthesis fails after the first byte (never a short file that looks whole)', async () => {
    const answer = await synthesize(limited.url, job(`${LONG_TEXT} ${LONG_TEXT}`, 'pcm', true));
    expect(answer.status).toBe(200);
    await expect(answer.arrayBuffer()).rejects.toThrow();
    await until(async () => (await metric(limited.url, 'gsv_requests_in_flight')) === 0, 5000, 'the slot is freed');
  });

  it('drains on shutdown: /ping turns 503 at once, the request in flight finishes, then the server closes', async () => {
    const inFlight = synthesize(limited.url, job('Finish me first. And take your time about it.', 'wav', false));
    // Accepted (past its signature check and admission) before the drain begins.
    await until(async () => (await metric(limited.url, 'gsv_requests_in_flight')) === 1, 5000, 'the request is accepted');
    const draining = limited.drain(10_000);
    expect((await fetch(`${limited.url}/ping`)).status).toBe(503);
    expect((await fetch(`${limited.url}/readyz`)).status).toBe(503);
    const answer = await inFlight;
    expect(answer.status).toBe(200);
    expect((await answer.arrayBuffer()).byteLength).toBeGreaterThan(44);
    await draining;
    await expect(fetch(`${limited.url}/healthz`)).rejects.toThrow();
  });
});

describe('GPU function memory bounds', () => {
  const upload = (id: string) => JSON.stringify({ id, model: 'tiny', prompt_text: 'This is how I sound.', prompt_lang: 'en', ref_audio: Buffer.from(referenceClip()).toString('base64') });
  let bounded: RunningServer;
  beforeAll(async () => {
    bounded = await startServer(config({ maxConcurrentInspections: 1, nonceStoreMaxEntries: 6 }), { logger: createLogger('silent') });
    await bounded.ready;
  }, 120_000);
  afterAll(async () => {
    await bounded.drain(0);
  });

  it('answers 503 overloaded with Retry-After past MAX_CONCURRENT_INSPECTIONS instead of queuing uploads', async () => {
    const answers = await Promise.all(['one', 'two', 'three'].map(async (id) => signed(bounded.url, '/internal/v1/voices/inspect', { method: 'POST', body: upload(id) })));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses).toContain(200);
    expect(statuses).toContain(503);
    for (const answer of answers.filter((candidate) => candidate.status === 503)) {
      expect(answer.headers.get('retry-after')).toBe('1');
      expect(await answer.json()).toMatchObject({ error: { code: 'overloaded' } });
    }
    await until(async () => (await metric(bounded.url, 'gsv_inspections_in_flight')) === 0, 5000, 'the inspection slot is freed');
  });

  it('refuses new signed requests with 503 once NONCE_STORE_MAX_ENTRIES nonces are in their window, and still refuses replays', async () => {
    // Three nonces went to the inspections above; three more fill the store.
    const signatures = await Promise.all([0, 1, 2].map(async () => signRequest({ secret: SECRET, audience: bounded.url, method: 'GET', pathAndQuery: '/internal/v1/models', body: '' })));
    for (const headers of signatures) expect((await fetch(`${bounded.url}/internal/v1/models`, { headers })).status).toBe(200);
    expect(await metric(bounded.url, 'gsv_nonce_store_entries')).toBe(6);
    const full = await signed(bounded.url, '/internal/v1/models');
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toBe('1');
    expect(await full.json()).toMatchObject({ error: { code: 'overloaded' } });
    const replayed = await fetch(`${bounded.url}/internal/v1/models`, { headers: signatures[0] ?? {} });
    expect(await replayed.json()).toMatchObject({ error: { code: 'replayed_request' } });
    expect(await metric(bounded.url, 'gsv_nonce_store_entries')).toBe(6);
  });
});
