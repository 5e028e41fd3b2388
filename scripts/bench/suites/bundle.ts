/**
 * Suite `bundle` (issue 3): the full-size v2 set compiled by `buildBundle` — T2S, SoVITS, BERT and HuBERT, fp32 and
 * fp16 — in its own process. Target: under 2 minutes and under 4 GB peak RSS.
 * @module
 */
import { figure, type Figure } from '../figures.ts';
import { TIMEOUT_SECONDS, type BenchRun } from '../run-context.ts';

export async function runBundleSuite(run: BenchRun): Promise<Figure[]> {
  const models = await run.ensureModels();
  const build = await run.runIf(
    models.status === 'ok',
    {
      id: 'bundle.build',
      suite: 'bundle',
      label: 'buildBundle: T2S + SoVITS + BERT + HuBERT, fp32 + fp16',
      script: 'gpu-function/bench/bundle/build.ts',
      args: ['--models', run.modelsDir, '--out', run.bundleDir, '--precisions', 'fp32,fp16'],
      timeoutSeconds: TIMEOUT_SECONDS.long,
    },
    'the synthetic model set could not be written',
  );
  run.bundleBuilt = build.status === 'ok';
  const ok = build.status === 'ok';
  const built = { suite: 'bundle', scenario: build.id } as const;
  return [
    figure({ id: 'bundle.write_models_seconds', suite: 'bundle', scenario: models.id, label: 'write the synthetic set (0 = reused)', unit: 's', value: models.metrics['seconds'] }),
    figure({ ...built, id: 'bundle.build_seconds', label: 'buildBundle wall time', unit: 's', value: build.metrics['seconds'], target: { op: '<', value: 120, text: '< 2 min' } }),
    figure({ ...built, id: 'bundle.build_peak_rss_bytes', label: 'buildBundle peak RSS', unit: 'bytes', value: ok ? build.peak_rss_bytes : null, target: { op: '<', value: 4e9, text: '< 4 GB' } }),
    figure({ ...built, id: 'bundle.fp32_bytes', label: 'fp32 graphs + weights on disk', unit: 'bytes', value: build.metrics['bytes_fp32'] }),
    figure({ ...built, id: 'bundle.fp16_bytes', label: 'fp16 graphs + weights on disk', unit: 'bytes', value: build.metrics['bytes_fp16'] }),
  ];
}
