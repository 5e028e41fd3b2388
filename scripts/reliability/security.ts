/**
 * The security suite (issue 14), against the whole local stack (the gateway in front of two GPU functions): signed
 * internal calls in both directions (forged, stale, replayed, cross-origin, bad headers), API keys on the public
 * routes (minted, revoked, mistyped, missing), the admin API (no, wrong or misplaced secrets), and whether refusal
 * times depend on how much of a secret a guess got right. Every class is one check counting what was sent, refused
 * and accepted; the suite passes only when nothing was accepted.
 *
 *   node scripts/reliability/security.ts [--quick] [--verbose]
 *
 * Variants are drawn by fast-check from SEED, so a failing variant can be drawn again.
 * @module
 */
import { suiteMain } from './report.ts';
import { adminAttacks } from './security/admin.ts';
import { apiKeyAttacks } from './security/api-keys.ts';
import { signatureAttacks } from './security/signatures.ts';
import { timingChecks } from './security/timing.ts';
import { startReliabilityStack } from './stack.ts';

const SEED = 1_400;

await suiteMain('security', async (report, { quick, verbose }) => {
  const size = quick
    ? { signatureVariants: 90, edgeRounds: 2, keyVariants: 60, adminVariants: 60, timingSamples: 60 }
    : { signatureVariants: 1500, edgeRounds: 8, keyVariants: 600, adminVariants: 800, timingSamples: 1000 };
  report.figure('seed', SEED);
  for (const [name, value] of Object.entries(size)) report.figure(`size.${name}`, value);
  const stack = await startReliabilityStack({ verbose });
  try {
    const started = performance.now();
    const phase = async (name: string, run: () => Promise<void>): Promise<void> => {
      const phaseStarted = performance.now();
      await run();
      report.figure(`seconds.${name}`, Math.round((performance.now() - phaseStarted) / 100) / 10);
    };
    await phase('signatures', () => signatureAttacks(report, stack, { variants: size.signatureVariants, seed: SEED, edgeRounds: size.edgeRounds }));
    await phase('api_keys', () => apiKeyAttacks(report, stack, { variants: size.keyVariants, seed: SEED }));
    await phase('admin', () => adminAttacks(report, stack, { variants: size.adminVariants, seed: SEED }));
    await phase('timing', () => timingChecks(report, stack, { samples: size.timingSamples }));
    report.figure('seconds.total_after_start', Math.round((performance.now() - started) / 1000));
  } finally {
    await stack.stop();
  }
});
