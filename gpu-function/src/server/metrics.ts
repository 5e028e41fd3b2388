/**
 * The GPU function's Prometheus metrics (prom-client), on `GET /metrics`. Counters and histograms are updated as
 * requests and engine steps happen; gauges of what the engine holds are read from it when scraped.
 *
 * Every in-memory structure that traffic could grow has a gauge, so a leak shows as a line that never comes back
 * down: syntheses and inspections in flight (HTTP thread and engine), segments queued, KV slots in use, voice
 * features held, nonces remembered; with prom-client's defaults for the process (`gsv_process_open_fds`,
 * `gsv_nodejs_active_resources_total`: what `process.getActiveResourcesInfo()` lists, `gsv_process_resident_memory_bytes`).
 * @module
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StepStats } from '../engine/index.ts';
import type { GraphRunTotals } from '../runtime/transfer.ts';
import type { ThreadStats } from './engine-protocol.ts';

export interface Metrics {
  readonly registry: Registry;
  readonly requestsInFlight: Gauge;
  readonly inspectionsInFlight: Gauge;
  readonly requests: Counter<'outcome'>;
  readonly errors: Counter<'code'>;
  readonly timeToFirstAudio: Histogram;
  readonly requestDuration: Histogram;
  readonly runawaySegments: Counter;
  /** Feeds one engine step into the step metrics. */
  step(stats: StepStats): void;
}

const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 300];
/** How often the event-loop delay is sampled. */
const LOOP_SAMPLING_MS = 5;

export interface MetricSources {
  /**
   * Asked at each scrape (queue depth, running batch, KV pool, voice feature cache); it may fail while the engine is
   * starting or gone, and the gauges then keep their last values.
   */
  readonly engineStats: () => Promise<ThreadStats | null>;
  /** Nonces the signature check remembers now. */
  readonly nonceStoreEntries: () => number;
}

export function createMetrics({ engineStats, nonceStoreEntries }: MetricSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gsv_' });
  const loopDelay = monitorEventLoopDelay({ resolution: LOOP_SAMPLING_MS });
  loopDelay.enable();

  const decodeTokens = new Counter({ name: 'gsv_decode_tokens_total', help: 'Semantic tokens decoded (rate() is decode tokens/s).', labelNames: ['model'], registers: [registry] });
  const stepSeconds = new Histogram({ name: 'gsv_engine_step_seconds', help: 'Duration of one engine step (prefill + decode + vocode).', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  const stats = { latest: null as ThreadStats | null, pending: undefined as Promise<void> | undefined };
  // Every metric below reads the engine's statistics when scraped; one request to the engine thread serves them all.
  const refresh = (): Promise<void> =>
    (stats.pending ??= (async () => {
      stats.latest = (await engineStats().catch(() => null)) ?? stats.latest;
    })().finally(() => {
      stats.pending = undefined;
    }));
  const perModel = (name: string, help: string, read: (model: ThreadStats['models'][number]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['model'],
      registers: [registry],
      async collect() {
        await refresh();
        for (const model of stats.latest?.models ?? []) this.set({ model: model.model }, read(model));
      },
    });
  perModel('gsv_queue_depth', 'Segments waiting for a decode slot.', (model) => model.waiting);
  perModel('gsv_running_batch_size', 'Segments in the running decode batch.', (model) => model.running);
  perModel('gsv_kv_pool_slots', 'Decode slots of the KV pool.', (model) => model.slots);
  perModel('gsv_kv_pool_slots_in_use', 'KV pool slots held by a running segment.', (model) => model.slotsInUse);
  perModel('gsv_kv_pool_bytes', 'Bytes the KV pool holds.', (model) => model.kvBytes);
  perModel('gsv_vocoder_queue', 'Segments waiting for the vocoder.', (model) => model.vocoderQueue);
  perGraph(registry, refresh, () => stats.latest?.graphs ?? []);
  new Gauge({
    name: 'gsv_voice_feature_cache_hits_total',
    help: 'Voice feature lookups answered from the cache since start.',
    registers: [registry],
    collect() {
      this.set(stats.latest?.featureCache.hits ?? 0);
    },
  });
  new Gauge({
    name: 'gsv_voice_feature_cache_misses_total',
    help: 'Voice feature lookups that had to compute features since start.',
    registers: [registry],
    collect() {
      this.set(stats.latest?.featureCache.misses ?? 0);
    },
  });
  const engineGauge = (name: string, help: string, read: (latest: ThreadStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        await refresh();
        if (stats.latest !== null) this.set(read(stats.latest));
      },
    });
  engineGauge('gsv_voice_feature_cache_entries', 'Voices whose features are held in memory (bounded by VOICE_CACHE_ENTRIES).', (latest) => latest.featureCache.entries);
  engineGauge('gsv_voice_feature_cache_bytes', 'Bytes of voice features held in memory (bounded by VOICE_CACHE_MAX_BYTES).', (latest) => latest.featureCache.bytes);
  engineGauge('gsv_engine_thread_heap_used_bytes', "The engine thread's V8 heap in use (gsv_nodejs_heap_* are the HTTP thread's).", (latest) => latest.heap.usedBytes);
  engineGauge('gsv_engine_thread_external_memory_bytes', "Memory outside the engine thread's V8 heap that it accounts for (typed arrays' buffers).", (latest) => latest.heap.externalBytes);
  engineGauge('gsv_voice_definitions', 'Voice definitions held in memory (with a gateway, bounded by VOICE_DEFINITIONS_MAX).', (latest) => latest.voiceDefinitions);
  engineGauge('gsv_engine_requests_in_flight', 'Syntheses the engine holds (being prepared, or with audio still to come).', (latest) => latest.inFlight);
  new Gauge({
    name: 'gsv_nonce_store_entries',
    help: 'Signed-request nonces remembered until their signature window ends (bounded by NONCE_STORE_MAX_ENTRIES).',
    registers: [registry],
    collect() {
      this.set(nonceStoreEntries());
    },
  });
  new Gauge({
    name: 'gsv_event_loop_delay_p99_seconds',
    help: 'p99 event-loop delay of the HTTP thread since the previous scrape (inference runs in a worker thread).',
    registers: [registry],
    collect() {
      // The histogram records whole intervals between its timer's ticks; the delay is how late a tick came.
      this.set(Math.max(0, loopDelay.percentile(99) / 1e6 - LOOP_SAMPLING_MS) / 1000);
      loopDelay.reset();
    },
  });

  return {
    registry,
    requestsInFlight: new Gauge({ name: 'gsv_requests_in_flight', help: 'Syntheses accepted and not finished (bounded by MAX_CONCURRENT_REQUESTS).', registers: [registry] }),
    inspectionsInFlight: new Gauge({ name: 'gsv_inspections_in_flight', help: 'Voice inspections accepted and not finished (bounded by MAX_CONCURRENT_INSPECTIONS).', registers: [registry] }),
    requests: new Counter({ name: 'gsv_requests_total', help: 'Syntheses by outcome.', labelNames: ['outcome'], registers: [registry] }),
    errors: new Counter({ name: 'gsv_errors_total', help: 'Error answers by code.', labelNames: ['code'], registers: [registry] }),
    timeToFirstAudio: new Histogram({ name: 'gsv_time_to_first_audio_seconds', help: 'From accepting a synthesis to its first audio.', buckets: LATENCY_BUCKETS, registers: [registry] }),
    requestDuration: new Histogram({ name: 'gsv_request_duration_seconds', help: 'From accepting a synthesis to its last byte.', buckets: LATENCY_BUCKETS, registers: [registry] }),
    runawaySegments: new Counter({ name: 'gsv_runaway_segments_total', help: 'Segments stopped by the runaway guard.', registers: [registry] }),
    step(step: StepStats) {
      decodeTokens.inc({ model: step.model }, step.prefilled + step.decoded);
      stepSeconds.observe(step.milliseconds / 1000);
    },
  };
}

/**
 * Per-graph counters from the runtime's accounting (runtime/transfer.ts), labelled by graph
 * (`<model>/<precision>/<file>`): runs, time inside onnxruntime, bytes that crossed the host↔device boundary under
 * the configured provider, and every input and output byte (what the CUDA provider, which copies them all, moves).
 * The engine thread keeps running totals; each scrape adds what grew since the previous one.
 */
function perGraph(registry: Registry, refresh: () => Promise<void>, graphs: () => readonly GraphRunTotals[]): void {
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[], read: (graph: GraphRunTotals) => readonly [Partial<Record<L, string>>, number][]) => {
    const seen = new Map<string, number>();
    new Counter<L>({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        await refresh();
        for (const graph of graphs()) {
          for (const [labels, total] of read(graph)) {
            const key = JSON.stringify(labels);
            const grown = total - (seen.get(key) ?? 0);
            // Totals only grow within one engine thread; a smaller one would come from a new thread, not counted back.
            // A graph's series is created on first sight even at 0 (0 bytes crossed on the CPU is a reading too).
            if (grown > 0 || !seen.has(key)) this.inc(labels, Math.max(0, grown));
            seen.set(key, total);
          }
        }
      },
    });
  };
  counter('gsv_graph_runs_total', 'onnxruntime runs by graph.', ['graph'], (g) => [[{ graph: g.graph }, g.runs]]);
  counter('gsv_graph_onnxruntime_seconds_total', 'Seconds inside onnxruntime run() by graph.', ['graph'], (g) => [[{ graph: g.graph }, g.milliseconds / 1000]]);
  counter('gsv_host_device_bytes_total', 'Bytes copied across the host-device boundary by graph and direction under the configured execution provider (0 on CPU).', ['graph', 'direction'], (g) => [
    [{ graph: g.graph, direction: 'host_to_device' }, g.hostToDeviceBytes],
    [{ graph: g.graph, direction: 'device_to_host' }, g.deviceToHostBytes],
  ]);
  counter('gsv_graph_io_bytes_total', 'Input and output bytes by graph: what the CUDA provider, which copies every input and output, would move.', ['graph'], (g) => [[{ graph: g.graph }, g.ioBytes]]);
}
