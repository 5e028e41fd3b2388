/**
 * Human-readable lines about a bundle's frontend data, for `gsv-edge bundle` and `gsv-edge g2p`: what was taken
 * from the user's GPT-SoVITS install, and a warning for each data set missing (with what stands in for it), so
 * missing data is never silent.
 * @module
 */
import { FRONTEND_DATA_IDS, FRONTEND_DATA_PURPOSE, WITHOUT_STAND_IN } from './catalog.ts';
import type { FrontendManifest, MissingFrontendData } from './manifest-section.ts';

/**
 * One warning line per reason, naming the data sets missing for it that npm data stands in for, then one line for
 * each missing data set nothing stands in for; empty when nothing is missing.
 */
export function describeMissing(missing: readonly MissingFrontendData[]): string {
  const byReason = new Map<string, string[]>();
  for (const { id, reason } of missing) if (!WITHOUT_STAND_IN.has(id)) byReason.set(reason, [...(byReason.get(reason) ?? []), id]);
  const replaced = [...byReason].map(([reason, ids]) => `warning: frontend data missing (${reason}), npm data stands in: ${ids.join(', ')}\n`);
  const refused = missing.filter(({ id }) => WITHOUT_STAND_IN.has(id)).map(({ id, reason }) => `warning: frontend data ${id} missing (${reason}): ${FRONTEND_DATA_PURPOSE[id]}\n`);
  return [...replaced, ...refused].join('');
}

/** Summary of a manifest's `frontend` section (null: built without GPT-SoVITS data). */
export function describeFrontendManifest(section: FrontendManifest | null): string {
  if (section === null) {
    return (
      `warning: no GPT-SoVITS frontend data in this bundle (pass --gpt-sovits-dir); the text frontend runs on npm data ` +
      `only, without ${FRONTEND_DATA_IDS.join(', ')}; ${[...WITHOUT_STAND_IN].map((id) => FRONTEND_DATA_PURPOSE[id]).join('; ')}\n`
    );
  }
  const taken = section.data.map((entry) => `frontend data: ${entry.id} from ${entry.sources.map((source) => source.path).join(', ')}\n`);
  const missing = section.missing.map(({ id, reason }) => `warning: frontend data ${id} missing (${reason}): ${FRONTEND_DATA_PURPOSE[id]}\n`);
  return [...taken, ...missing].join('');
}
