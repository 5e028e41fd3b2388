/**
 * Suite `bad-input` (issue 14): fast-check-generated bad requests at every public endpoint of the gateway (with a
 * valid key or the admin secret, so the input is what is tested) and at a GPU function's own routes (signed with the
 * stack's secret, so the body parser is what is hit): wrong types, huge and empty strings, lone surrogates, control
 * characters, every language code and mixes, extreme numbers, malformed JSON and multipart, wrong content types,
 * bodies past the documented limits (with a length and chunked), bodies trickled slowly, malformed Range headers,
 * uploads that are not audio or are cut short. Every answer is classified (scripts/reliability/bad-input/classify.ts):
 * a 4xx must be the error envelope naming the field at fault, a 5xx must be a documented one, a 500 or no answer is a
 * failure. After the run both processes must still answer `/healthz` and the GPU function's stderr must hold no
 * unhandled rejection. Then `gsv-edge bundle` is given zip bombs, pickle bombs and truncated checkpoints
 * (bad-input/bundle-bombs.ts): each must be refused with a clear error, in bounded time and memory.
 *
 *   node scripts/reliability/bad-input.ts [--quick] [--verbose]
 *   BAD_INPUT_SEED=n replays a run's requests; BAD_INPUT_ONLY=tts fires only at endpoints whose name holds it.
 *
 * @module
 */
import fc from 'fast-check';
import { MAX_INSPECT_BODY_BYTES, MAX_SYNTHESIS_JOB_BODY_BYTES } from '../../gpu-function/src/server/app.ts';
import { recentStderr } from '../stack/processes.ts';
import { runBundleBombs } from './bad-input/bundle-bombs.ts';
import { classify } from './bad-input/classify.ts';
import type { BadRequest } from './bad-input/cases.ts';
import { endpoints, type EndpointContext } from './bad-input/endpoints.ts';
import { createSender, trickle, type Sender } from './bad-input/http.ts';
import { smallWav } from './bad-input/audio.ts';
import { newTally, record, table, type EndpointTally } from './bad-input/tally.ts';
import { signRequest } from '@gsv-edge/shared';
import { progress, suiteMain, type SuiteReport } from './report.ts';
import { ADMIN_SECRET, SIGNING_SECRET, startReliabilityStack, type ReliabilityStack } from './stack.ts';

/** Requests in flight at once: enough to keep both services busy, few enough for two shared cores. */
const CONCURRENCY = 24;
/** An answer slower than this is a hang. Syntheses queue behind each other on a CPU, so it is generous. */
const DEADLINE_MS = 60_000;
/**
 * The GPU function's resident memory must stay under this through the run (a tiny bundle runs in well under 1 GiB);
 * past the hard cap the suite stops it, so that a memory bomb found fails the check instead of taking the machine.
 */
const GPU_RSS_LIMIT = 2 * 1024 ** 3;
const GPU_RSS_HARD_CAP = 6 * 1024 ** 3;
/** The gateway's default MAX_INPUT_CHARS and the synthesis body limit it implies (gateway/src/config.ts). */
const MAX_INPUT_CHARS = 4096;
const MAX_SYNTHESIS_BODY_BYTES = MAX_INPUT_CHARS * 12 + 16 * 1024;
/** gateway/src/app.ts's MAX_ADMIN_BODY_BYTES and MAX_VOICE_BODY_BYTES (that module needs workerd's types). */
const MAX_ADMIN_BODY_BYTES = 64 * 1024;
const MAX_VOICE_BODY_BYTES = 16 * 1024 * 1024;

await suiteMain('bad-input', async (report, { quick, verbose }) => {
  const perEndpoint = quick ? 200 : 10_000;
  const seed = process.env.BAD_INPUT_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.BAD_INPUT_SEED);
  report.figure('seed', seed);
  report.note(`fast-check seed ${String(seed)} (BAD_INPUT_SEED=${String(seed)} replays the same requests)`);
  progress(`seed ${String(seed)}, ${String(perEndpoint)} requests per endpoint, ${String(CONCURRENCY)} in flight`);

  const started = performance.now();
  // The bundle command runs as its own processes on files of its own: it goes on beside the HTTP part.
  const bundles = runBundleBombs(report, { quick });
  bundles.catch(() => undefined);
  let stack: ReliabilityStack;
  try {
    stack = await startReliabilityStack({ gpuFunctions: 1, verbose });
  } catch (error) {
    await bundles.catch(() => undefined);
    throw error;
  }
  let sender: Sender | undefined;
  let memory: ReturnType<typeof watchGpuMemory> | undefined;
  // Stopped from outside (Ctrl-C, a timeout): the stack's processes run in their own groups and would outlive it.
  const interrupted = (signal: NodeJS.Signals): void => {
    progress(`${signal}: stopping the stack`);
    void stack.stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    const gpu = stack.gpus[0];
    if (gpu === undefined) throw new Error('the stack started no GPU function');
    progress(`stack up in ${((performance.now() - started) / 1000).toFixed(0)} s`);
    const ctx = await prepare(stack, seed);
    const send = createSender({ gateway: stack.gateway.url, gpu: gpu.url }, { connections: CONCURRENCY, deadlineMs: DEADLINE_MS, signingSecret: SIGNING_SECRET });
    sender = send;
    const tallies: EndpointTally[] = [];
    const fuzzStarted = performance.now();
    memory = watchGpuMemory(stack);
    const only = process.env.BAD_INPUT_ONLY;
    for (const [position, endpoint] of endpoints(ctx).entries()) {
      if (only !== undefined && !endpoint.name.includes(only)) continue;
      const tally = newTally(endpoint.name);
      const makers = fc.sample(endpoint.cases, { numRuns: perEndpoint, seed: seed + position });
      const endpointStarted = performance.now();
      await runBounded(makers.length, CONCURRENCY, async (index) => {
        const maker = makers[index];
        if (maker === undefined) return;
        const request = maker(index);
        record(tally, request, classify(request, await send.send(request)));
      });
      tally.durationMs = performance.now() - endpointStarted;
      tallies.push(tally);
      const reasons = [...tally.reasons.entries()].sort(([, a], [, b]) => b - a).slice(0, 3).map(([reason, count]) => `${String(count)}× ${reason}`);
      progress(`${endpoint.name}: ${String(tally.requests)} requests in ${(tally.durationMs / 1000).toFixed(1)} s, ${String(tally.classes.FAIL)} failed${reasons.length === 0 ? '' : ` (${reasons.join('; ')})`}; GPU function peak RSS so far ${(memory.peak / 2 ** 20).toFixed(0)} MiB`);
      await checkAlive(stack, `after ${endpoint.name}`);
    }
    const slow = await slowBodies(stack, quick);
    tallies.push(slow);
    memory.stop();
    report.figure('GPU function peak RSS MiB', Math.round(memory.peak / 2 ** 20));
    report.check('GPU function memory bounded', memory.peak <= GPU_RSS_LIMIT && !memory.capped, `peak RSS ${(memory.peak / 2 ** 20).toFixed(0)} MiB (limit ${String(GPU_RSS_LIMIT / 2 ** 20)} MiB)${memory.capped ? `; stopped past ${String(GPU_RSS_HARD_CAP / 2 ** 30)} GiB` : ''}`);
    const fuzzSeconds = (performance.now() - fuzzStarted) / 1000;

    for (const tally of tallies) {
      const detail = `${String(tally.requests)} requests: ${String(tally.classes.accepted)} accepted, ${String(tally.classes.refused)} refused with the envelope, ${String(tally.classes['documented 5xx'])} documented 5xx, ${String(tally.classes.FAIL)} failed`;
      const reasons = [...tally.reasons.entries()].sort(([, a], [, b]) => b - a).slice(0, 8).map(([reason, count]) => `${String(count)}× ${reason}`);
      report.check(`${tally.endpoint}: every answer right`, tally.classes.FAIL === 0 && tally.requests > 0, reasons.length === 0 ? detail : `${detail}; ${reasons.join('; ')}`);
      for (const example of tally.documented) report.note(`${tally.endpoint} [${example.kind}] ${example.method} ${example.path} -> documented ${example.failure}; body ${example.body}`);
      for (const example of tally.failures) report.note(`${tally.endpoint} [${example.kind}] ${example.method} ${example.path} -> ${String(example.status)}: ${example.failure}; body ${example.body}`);
      report.figure(`${tally.endpoint} requests`, tally.requests);
      report.figure(`${tally.endpoint} failures`, tally.classes.FAIL);
      report.figure(`${tally.endpoint} seconds`, Math.round(tally.durationMs / 100) / 10);
    }
    const total = tallies.reduce((sum, tally) => sum + tally.requests, 0);
    report.figure('requests', total);
    report.figure('http seconds', Math.round(fuzzSeconds));
    report.figure('requests per second', Math.round(total / fuzzSeconds));
    process.stdout.write(`\nbad-input: answers per endpoint (seed ${String(seed)})\n\n${table(tallies)}\n\n`);

    const alive = await checkAlive(stack, 'at the end');
    report.check('gateway and GPU function alive and answering /healthz', alive === null, alive ?? 'both answered 200');
    const stderr = recentStderr(gpu.process?.child ?? stack.gateway.child);
    const unhandled = /unhandled|uncaught|ERR_UNHANDLED_REJECTION|FATAL ERROR|heap out of memory/i.exec(stderr);
    report.check('no unhandled rejection or crash in the GPU function stderr', unhandled === null, unhandled === null ? `${String(stderr.length)} bytes of stderr, none of it a crash` : stderr.slice(Math.max(0, unhandled.index - 400), unhandled.index + 600));
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    memory?.stop();
    await sender?.close();
    await stack.stop();
    // Nothing this suite started outlives it, also when the HTTP part failed.
    await bundles.catch(() => undefined);
  }
  await bundles;
});

/** A key, the narrator's version and a cached phrase to play back, read through the gateway. */
async function prepare(stack: ReliabilityStack, seed: number): Promise<EndpointContext> {
  const key = await stack.createKey('bad-input');
  const voices = (await (await fetch(`${stack.gateway.url}/admin/voices`, { headers: stack.adminHeaders })).json()) as { data: { id: string; version: string }[] };
  const narrator = voices.data.find((voice) => voice.id === 'narrator');
  if (narrator === undefined) throw new Error('voice narrator is missing');
  const phrase = { text: 'A phrase kept for playback.', voice: 'narrator', text_lang: 'en', format: 'wav' };
  let cachedKey = '';
  let cachedBytes = 0;
  // The first answer fills the cache as it is relayed; a repeat shows it is there.
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const response = await fetch(`${stack.gateway.url}/v1/tts`, { method: 'POST', headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' }, body: JSON.stringify(phrase) });
    const audio = await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`the phrase to play back failed: ${String(response.status)} ${new TextDecoder().decode(audio)}`);
    cachedKey = response.headers.get('x-gsv-synthesis-key') ?? '';
    cachedBytes = audio.byteLength;
    if (response.headers.get('x-cache') === 'HIT') break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const playback = await fetch(`${stack.gateway.url}/v1/audio/${cachedKey}`, { headers: { authorization: `Bearer ${key.secret}` } });
  await playback.arrayBuffer();
  if (playback.status !== 200) throw new Error(`the cached phrase does not play back: ${String(playback.status)}`);
  return {
    apiKey: key.secret,
    adminSecret: ADMIN_SECRET,
    voiceVersion: narrator.version,
    cachedKey,
    cachedBytes,
    maxSynthesisBodyBytes: MAX_SYNTHESIS_BODY_BYTES,
    maxInputChars: MAX_INPUT_CHARS,
    maxAdminBodyBytes: MAX_ADMIN_BODY_BYTES,
    maxVoiceBodyBytes: MAX_VOICE_BODY_BYTES,
    gpuSynthesisBodyBytes: MAX_SYNTHESIS_JOB_BODY_BYTES,
    gpuInspectBodyBytes: MAX_INSPECT_BODY_BYTES,
    referenceWav: smallWav(3.6),
    runId: seed.toString(36),
  };
}

/** Samples GPU function 0's resident memory every second; stops the function past the hard cap. */
function watchGpuMemory(stack: ReliabilityStack): { readonly peak: number; readonly capped: boolean; stop(): void } {
  const state = { peak: 0, capped: false };
  const timer = setInterval(() => {
    stack.gpuRss(0).then(
      (rss) => {
        state.peak = Math.max(state.peak, rss);
        if (rss > GPU_RSS_HARD_CAP && !state.capped) {
          state.capped = true;
          progress(`the GPU function holds ${(rss / 2 ** 30).toFixed(1)} GiB: stopping it`);
          void stack.killGpu(0);
        }
      },
      () => undefined,
    );
  }, 1000);
  return {
    get peak() {
      return state.peak;
    },
    get capped() {
      return state.capped;
    },
    stop() {
      clearInterval(timer);
    },
  };
}

/** Runs `work(0..count-1)` with at most `limit` at a time. */
async function runBounded(count: number, limit: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, count) }, async () => {
      while (next < count) {
        const index = next;
        next += 1;
        await work(index);
      }
    }),
  );
}

/** Null when both processes run and answer /healthz; otherwise what is wrong. */
async function checkAlive(stack: ReliabilityStack, when: string): Promise<string | null> {
  const problems: string[] = [];
  for (const [name, url, child] of [
    ['gateway', stack.gateway.url, stack.gateway.child],
    ['GPU function', stack.gpus[0]?.url ?? '', stack.gpus[0]?.process?.child],
  ] as const) {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) {
      problems.push(`${name} exited (${String(child?.exitCode ?? child?.signalCode)}): ${child === undefined ? '' : recentStderr(child).slice(-1500)}`);
      continue;
    }
    const status = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) }).then(
      async (response) => {
        await response.arrayBuffer();
        return response.status;
      },
      (error: unknown) => String(error),
    );
    if (status !== 200) problems.push(`${name} /healthz: ${String(status)}`);
  }
  if (problems.length === 0) return null;
  const problem = `${when}: ${problems.join('; ')}`;
  progress(problem);
  return problem;
}

/**
 * Bodies trickled a few bytes at a time over bare sockets (slow-loris), to the gateway and (signed) to the GPU
 * function, while /healthz is asked on the side: each must still get its answer, and the services must keep
 * answering others meanwhile. Bodies abandoned half-sent must leave nothing behind.
 */
async function slowBodies(stack: ReliabilityStack, quick: boolean): Promise<EndpointTally> {
  const tally = newTally('slow bodies (trickled)');
  const started = performance.now();
  const gpu = stack.gpus[0];
  const gatewayPort = Number(new URL(stack.gateway.url).port);
  const connections = quick ? 4 : 16;
  const rounds = quick ? 1 : 4;
  const key = await stack.createKey('slow-bodies');
  const probes: number[] = [];
  const probing = (async () => {
    const until = Date.now() + (quick ? 4_000 : 16_000);
    while (Date.now() < until) {
      const probeStarted = performance.now();
      const ok = await fetch(`${stack.gateway.url}/healthz`, { signal: AbortSignal.timeout(5_000) }).then((response) => response.ok, () => false);
      probes.push(ok ? performance.now() - probeStarted : Number.POSITIVE_INFINITY);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const bodies = [
    { text: '{"text": "Hi.", "voice": "narrator", "text_lang": "xx"}', field: 'text_lang' },
    { text: '{"text": "Hi.", "voice": "narrator", "top_k": 0}', field: 'top_k' },
    { text: '{"text": "Hi.", "voice": ', field: null },
  ];
  for (let round = 0; round < rounds; round += 1) {
    await Promise.all(
      Array.from({ length: connections }, async (_, index) => {
        const body = bodies[index % bodies.length] ?? { text: '', field: null };
        const toGpu = index % 2 === 1 && gpu !== undefined;
        // To the GPU function the same text is the job's params: the job then misses fields, or is not JSON.
        const bytes = new TextEncoder().encode(toGpu ? `{"request_id": "slow-${String(round)}-${String(index)}", "params": ${body.text}}` : body.text);
        let head: string;
        if (toGpu) {
          const signature = await signRequest({ secret: SIGNING_SECRET, audience: gpu.url, method: 'POST', pathAndQuery: '/internal/v1/synthesize', body: bytes });
          head = `POST /internal/v1/synthesize HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${Object.entries(signature).map(([name, value]) => `${name}: ${value}`).join('\r\n')}`;
        } else {
          head = `POST /v1/tts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer ${key.secret}`;
        }
        const request: BadRequest = {
          endpoint: tally.endpoint,
          kind: toGpu ? 'trickled to the GPU function' : 'trickled to the gateway',
          target: toGpu ? 'gpu' : 'gateway',
          method: 'POST',
          path: toGpu ? '/internal/v1/synthesize' : '/v1/tts',
          headers: {},
          body: bytes,
          expect: { reject: true, field: toGpu ? null : body.field, statuses: [400] },
        };
        const outcome = await trickle({ port: toGpu ? gpu.port : gatewayPort, head, body: bytes, chunkBytes: 3, intervalMs: 150, deadlineMs: 60_000 });
        record(tally, request, classify(request, outcome));
      }),
    );
  }
  // Half-sent bodies, then the client goes away: the services must drop them and stay up.
  await Promise.all(
    Array.from({ length: connections }, (_, index) =>
      trickle({ port: index % 2 === 1 && gpu !== undefined ? gpu.port : gatewayPort, head: index % 2 === 1 ? 'POST /internal/v1/synthesize HTTP/1.1\r\nHost: 127.0.0.1' : `POST /v1/tts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key.secret}`, body: new Uint8Array(4096).fill(0x20), chunkBytes: 8, intervalMs: 100, deadlineMs: 1_500 }),
    ),
  );
  await probing;
  tally.durationMs = performance.now() - started;
  const worst = Math.max(...probes);
  progress(`slow bodies: ${String(tally.requests)} trickled, ${String(tally.classes.FAIL)} failed; /healthz meanwhile worst ${Number.isFinite(worst) ? `${worst.toFixed(0)} ms` : 'no answer'} over ${String(probes.length)} probes`);
  if (!Number.isFinite(worst)) {
    record(tally, { endpoint: tally.endpoint, kind: 'health probe during slow bodies', target: 'gateway', method: 'GET', path: '/healthz', headers: {}, expect: { reject: false, field: null } }, { cls: 'FAIL', failure: '/healthz did not answer within 5 s while bodies trickled', status: 0, code: null });
  }
  return tally;
}

export type { SuiteReport };
