/**
 * A stand-in GPU function for the gateway's tests, on node:http: it verifies every request's signature with the
 * shared `verifyRequest`, validates the `SynthesisJob`, and answers real audio (a 16-bit mono 32 kHz sine tone whose
 * pitch follows the seed and whose length follows the text), streamed in chunks when the job asks for a stream. It
 * reports one model (`tiny`) and inspects voice uploads (any WAV is 5 s), as the real function's internal routes do.
 *
 * One server plays many origins: the first path segment names the origin and, by its prefix, how it behaves
 * (`ok-*` answers, `fail503-*` is overloaded, `stuck-*` never answers a synthesis (only), `abort-*` dies mid-stream, `hang-*` never answers, `empty-*` answers
 * no bytes, `badsig-*` rejects the signature, `slow-*` waits 150 ms between chunks, `stall-*` sends one piece and
 * then nothing, `leak500-*` fails with internal details in its message, `weird-*` answers an error code no gateway
 * knows, `*nomodel*` carries no model). A real GPU function sits behind one base URL; a base path is allowed by the
 * gateway, so each name is a separate origin to it.
 *
 * Every origin answers the unsigned `GET /readyz` (200; `hang-*` never answers), counted as `probes`.
 *
 * Test-only control routes (unsigned): `GET /__stats/<origin>`, `POST /__down/<origin>` and `POST /__up/<origin>`
 * (a down origin drops every connection, as a killed function refuses them), `POST /__voice-version/<voice>/<version>` (a voice's
 * current version, as a real function would fetch it from the gateway: jobs keyed with another are refused),
 * and `/stripe/v1/billing/meter_events` (a fake Stripe API: refuses timestamps older than 35 days and repeated
 * identifiers, as Stripe does; `/stripe-hang/...` never answers, `/stripe-down/...` answers 500) with `GET /__stripe`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ApiError,
  countCharacters,
  MemoryNonceStore,
  parseOrThrow,
  sha256Hex,
  createVoiceRequestSchema,
  synthesisJobSchema,
  verifyRequest,
  type SynthesisJob,
} from '@gsv-edge/shared';

export const SAMPLE_RATE = 32_000;
/** The one model bundle every fake origin carries (but `*nomodel*` ones, which carry none). */
export const FAKE_MODEL = 'tiny';

interface OriginStats {
  synthesize: number;
  models: number;
  inspections: number;
  /** `GET /readyz` calls (the gateway's health probes). */
  probes: number;
  /** Connections dropped while the origin was down. */
  dropped: number;
  jobs: SynthesisJob[];
  requestIds: string[];
  /** SHA-256 of each voice upload body as received. */
  uploads: string[];
}

export interface FakeOrigin {
  readonly url: string;
  close(): Promise<void>;
}

/** Samples of the tone for a job: deterministic in (seed, text), as real synthesis with a fixed seed is. */
export function toneSamples(seed: number, characters: number): Int16Array {
  const count = Math.round(SAMPLE_RATE * (0.1 + 0.02 * characters));
  const frequency = 220 + (seed % 440);
  const samples = new Int16Array(count);
  for (let i = 0; i < count; i += 1) samples[i] = Math.round(8000 * Math.sin((2 * Math.PI * frequency * i) / SAMPLE_RATE));
  return samples;
}

export function wavBytes(samples: Int16Array): Uint8Array {
  const data = new Uint8Array(samples.buffer, samples.byteOffset, samples.byteLength);
  const out = new Uint8Array(44 + data.length);
  const view = new DataView(out.buffer);
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i += 1) out[offset + i] = text.charCodeAt(i);
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + data.length, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, SAMPLE_RATE, true);
  view.setUint32(28, SAMPLE_RATE * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, data.length, true);
  out.set(data, 44);
  return out;
}

export async function startFakeOrigin(secret: string, stripeKey: string): Promise<FakeOrigin> {
  const nonces = new MemoryNonceStore();
  /** This server's origin, which the gateway signs for (every fake origin is a path under it); set once listening. */
  let audience = '';
  const stats = new Map<string, OriginStats>();
  const stripeEvents: Record<string, string>[] = [];
  /** A voice's current version, when a test has said one (as a real function learns it from the gateway). */
  const currentVersions = new Map<string, string>();
  /** Origins a test has taken down (`POST /__down/<name>`). */
  const down = new Set<string>();

  const statsOf = (name: string) => {
    let entry = stats.get(name);
    if (entry === undefined) {
      entry = { synthesize: 0, models: 0, inspections: 0, probes: 0, dropped: 0, jobs: [], requestIds: [], uploads: [] };
      stats.set(name, entry);
    }
    return entry;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const url = req.url ?? '/';
    const [, name = '', ...rest] = url.split('?')[0]?.split('/') ?? [];
    const path = `/${rest.join('/')}`;
    if (name === '__stats') {
      json(res, 200, statsOf(rest[0] ?? ''));
      return;
    }
    if (name === '__down' || name === '__up') {
      if (name === '__down') down.add(rest[0] ?? '');
      else down.delete(rest[0] ?? '');
      json(res, 200, { ok: true });
      return;
    }
    if (name === '__voice-version') {
      currentVersions.set(rest[0] ?? '', rest[1] ?? '');
      json(res, 200, { ok: true });
      return;
    }
    if (name === '__stripe') {
      json(res, 200, stripeEvents);
      return;
    }
    if (name === 'stripe' || name === 'stripe-hang' || name === 'stripe-down') {
      if (name === 'stripe-hang') return; // never answers; the gateway must give up on its own
      if (name === 'stripe-down') {
        json(res, 500, { error: { type: 'api_error', message: 'Stripe is having a bad day' } });
        return;
      }
      if (req.headers.authorization !== `Bearer ${stripeKey}`) {
        json(res, 401, { error: { message: 'bad key' } });
        return;
      }
      const form = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
      // As Stripe does: timestamps must be within the past 35 days, identifiers are unique.
      if (Number(form.timestamp) < Date.now() / 1000 - 35 * 86_400) {
        json(res, 400, { error: { type: 'invalid_request_error', message: 'Timestamp must be within the past 35 calendar days.', param: 'timestamp' } });
        return;
      }
      if (stripeEvents.some((event) => event.identifier === form.identifier)) {
        json(res, 400, { error: { type: 'invalid_request_error', code: 'resource_already_exists', message: 'An event with this identifier already exists.' } });
        return;
      }
      stripeEvents.push(form);
      json(res, 200, { object: 'billing.meter_event', identifier: form.identifier });
      return;
    }

    const stat = statsOf(name);
    if (down.has(name)) {
      stat.dropped += 1;
      req.socket.destroy();
      return;
    }
    if (name.startsWith('hang')) return; // never answers; the gateway must time out
    if (path === '/readyz' && req.method === 'GET') {
      stat.probes += 1;
      json(res, 200, { status: 'ready' });
      return;
    }
    await verifyRequest({ secrets: [secret], audience, method: req.method ?? 'GET', pathAndQuery: url, body, headers: toHeaders(req), nonces });
    if (name.startsWith('badsig')) throw new ApiError('invalid_signature', 'this origin has another secret');

    const models = name.includes('nomodel') ? [] : [{ object: 'model', id: FAKE_MODEL, sha256: await sha256Hex(FAKE_MODEL), sample_rate: SAMPLE_RATE }];
    if (path === '/internal/v1/models' && req.method === 'GET') {
      stat.models += 1;
      json(res, 200, { object: 'list', data: models });
      return;
    }
    if (path === '/internal/v1/voices/inspect' && req.method === 'POST') {
      stat.inspections += 1;
      stat.uploads.push(await sha256Hex(new Uint8Array(body)));
      const upload = parseOrThrow(createVoiceRequestSchema, JSON.parse(body.toString('utf8')));
      if (!models.some((model) => model.id === upload.model)) throw new ApiError('model_not_found', `no model ${upload.model}`, { param: 'model' });
      const inspectAudio = async (base64: string, field: string) => {
        const audio = Buffer.from(base64, 'base64');
        if (audio.subarray(0, 4).toString('latin1') !== 'RIFF') throw new ApiError('invalid_reference_audio', `\`${field}\` is not audio`, { param: field });
        return { sha256: await sha256Hex(new Uint8Array(audio)), duration_s: 5, sample_rate: SAMPLE_RATE, channels: 1 };
      };
      json(res, 200, {
        object: 'voice.inspection',
        model: upload.model,
        model_sha256: await sha256Hex(FAKE_MODEL),
        sample_rate: SAMPLE_RATE,
        reference: await inspectAudio(upload.ref_audio, 'ref_audio'),
        aux_references: await Promise.all(upload.aux_ref_audio.map((audio, i) => inspectAudio(audio, `aux_ref_audio.${String(i)}`))),
      });
      return;
    }
    if (path !== '/internal/v1/synthesize' || req.method !== 'POST') throw new ApiError('not_found', `no route ${path}`);

    const job = parseOrThrow(synthesisJobSchema, JSON.parse(body.toString('utf8')));
    stat.synthesize += 1;
    stat.jobs.push(job);
    stat.requestIds.push(String(req.headers['x-request-id']));
    if (name.startsWith('stuck')) return; // its health and model list answer: only a synthesis shows the fault
    if (name.startsWith('fail503')) throw new ApiError('overloaded', 'queue full', { retryAfterSeconds: 1 });
    if (name.startsWith('leak500')) throw new ApiError('synthesis_failed', 'CUDA error 700 at /srv/gsv/models/tiny/fp16/t2s-decode.onnx');
    if (name.startsWith('weird')) {
      json(res, 500, { error: { type: 'server_error', code: 'gpu_on_fire', message: 'node gpu-7 /srv/secrets', param: null } });
      return;
    }
    const current = currentVersions.get(job.params.voice);
    if (current !== undefined && current !== job.voice_version) {
      throw new ApiError('voice_version_mismatch', 'the voice changed', { param: 'voice_version' });
    }
    if (job.params.format !== 'wav' && job.params.format !== 'pcm') {
      throw new ApiError('invalid_field', 'this fake origin encodes only wav and pcm', { param: 'params.format' });
    }
    const samples = toneSamples(job.seed, countCharacters(job.params.text));
    const audio = job.params.format === 'wav' ? wavBytes(samples) : new Uint8Array(samples.buffer);
    const headers: Record<string, string> = {
      'content-type': job.params.format === 'wav' ? 'audio/wav' : 'audio/pcm',
      'x-request-id': String(req.headers['x-request-id']),
      'x-gsv-seed': String(job.seed),
      'x-gsv-sample-rate': String(SAMPLE_RATE),
      'x-gsv-characters': String(countCharacters(job.params.text)),
      ...(job.synthesis_key === null ? {} : { 'x-gsv-synthesis-key': job.synthesis_key }),
    };
    if (name.startsWith('empty')) {
      res.writeHead(200, headers).end();
      return;
    }
    if (!job.stream && !name.startsWith('abort') && !name.startsWith('stall')) {
      headers['x-gsv-audio-seconds'] = String(samples.length / SAMPLE_RATE);
      headers['content-length'] = String(audio.length);
      res.writeHead(200, headers).end(audio);
      return;
    }
    res.writeHead(200, headers);
    const pieces = 4;
    const size = Math.ceil(audio.length / pieces);
    for (let i = 0; i < pieces; i += 1) {
      res.write(audio.subarray(i * size, (i + 1) * size));
      if (name.startsWith('abort')) {
        // Long enough that a client which reads one chunk and leaves does so before the failure arrives.
        await delay(100);
        res.socket?.destroy();
        return;
      }
      if (name.startsWith('stall')) return; // one piece, then silence: the gateway's idle timeout ends it
      await delay(name.startsWith('slow') ? 150 : 5);
    }
    res.end();
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        const apiError = error instanceof ApiError ? error : new ApiError('internal_error', String(error));
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (apiError.retryAfterSeconds !== undefined) headers['retry-after'] = String(apiError.retryAfterSeconds);
        if (!res.headersSent) res.writeHead(apiError.status, headers).end(JSON.stringify(apiError.toEnvelope()));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  audience = `http://127.0.0.1:${String(port)}`;
  return {
    url: audience,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** A port nothing listens on: connections to it are refused. */
export async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => {
    resolve();
  }));
  return port;
}

function toHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
  }
  return headers;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
