/**
 * The engine's worker thread: starts the {@link Engine} on the bundles it is given and serves the main thread's
 * messages (engine-protocol.ts). Everything that runs onnxruntime lives here, so the main thread's event loop only
 * ever waits on I/O.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { Engine, type AudioStream } from '../engine/index.ts';
import { graphRunTotals } from '../runtime/transfer.ts';
import type { EngineThreadConfig, HostMessage, ThreadError, ThreadMessage } from './engine-protocol.ts';
import { GatewayVoiceSource } from './gateway-voice-source.ts';

const port = parentPort;
if (port === null) throw new Error('engine-thread.ts runs as a worker thread');

function post(message: ThreadMessage, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(message, transfer);
}

function toThreadError(error: unknown): ThreadError {
  if (error instanceof ApiError) {
    return { code: error.code, message: error.message, param: error.param, ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }) };
  }
  return { code: 'synthesis_failed', message: `Internal engine error: ${error instanceof Error ? error.message : String(error)}`, param: null };
}

const config = workerData as EngineThreadConfig;
const controllers = new Map<string, AbortController>();

async function relay(id: string, stream: AudioStream): Promise<void> {
  try {
    for await (const samples of stream) {
      // A chunk may be a view of a larger buffer: copy it, so the transfer moves exactly its samples.
      const owned = samples.byteOffset === 0 && samples.byteLength === samples.buffer.byteLength ? samples : samples.slice();
      post({ type: 'chunk', id, samples: owned }, [owned.buffer as ArrayBuffer]);
    }
    post({ type: 'done', id, summary: await stream.done });
  } catch (error) {
    post({ type: 'failed', id, error: toThreadError(error) });
  } finally {
    controllers.delete(id);
  }
}

/** This thread's V8 heap: typed arrays' backing stores count as external. */
function engineHeap(): { usedBytes: number; externalBytes: number } {
  const heap = getHeapStatistics();
  return { usedBytes: heap.used_heap_size, externalBytes: heap.external_memory };
}

async function main(): Promise<void> {
  let engine: Engine;
  try {
    engine = await Engine.start({
      bundles: config.bundles,
      dataDir: config.dataDir,
      runtime: config.runtime,
      limits: config.limits,
      log: (message) => {
        post({ type: 'log', message });
      },
      onStep: (stats) => {
        post({ type: 'step', stats });
      },
      ...(config.gateway === null ? {} : { voiceSource: new GatewayVoiceSource(config.gateway.url, config.gateway.secret) }),
    });
    const warming = performance.now();
    await engine.warmUp();
    post({ type: 'log', message: `warmed up in ${String(Math.round(performance.now() - warming))} ms` });
  } catch (error) {
    post({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
    return;
  }
  const started = engine;

  port?.on('message', (message: HostMessage) => {
    switch (message.type) {
      case 'synthesize': {
        const controller = new AbortController();
        controllers.set(message.id, controller);
        started
          .synthesize({ ...message.request, signal: controller.signal })
          .then((stream) => {
            post({
              type: 'started',
              id: message.id,
              info: { requestId: stream.requestId, model: stream.model, modelSha256: stream.modelSha256, sampleRate: stream.sampleRate, voiceVersion: stream.voiceVersion },
            });
            return relay(message.id, stream);
          })
          .catch((error: unknown) => {
            controllers.delete(message.id);
            post({ type: 'failed', id: message.id, error: toThreadError(error) });
          });
        return;
      }
      case 'cancel':
        controllers.get(message.id)?.abort();
        return;
      case 'inspect':
        started.voices.inspect(message.upload).then(
          (inspection) => {
            post({ type: 'inspected', id: message.id, inspection });
          },
          (error: unknown) => {
            post({ type: 'failed', id: message.id, error: toThreadError(error) });
          },
        );
        return;
      case 'stats':
        // Graph totals are per thread, and every session of the engine lives in this one.
        post({ type: 'stats', id: message.id, stats: { ...started.stats(), graphs: graphRunTotals(), heap: engineHeap() } });
        return;
      case 'close':
        void started.close({ graceMs: message.graceMs }).finally(() => {
          post({ type: 'closed' });
        });
        return;
    }
  });

  post({
    type: 'ready',
    models: started.models.map((bundle) => ({ object: 'model', id: bundle.manifest.id, sha256: bundle.sha256, sample_rate: bundle.manifest.sample_rate })),
  });
}

void main();
