/**
 * Runs the synchronous phone pipeline (segments → language runs → `clean_text` → the `.` retry) with the
 * model-backed path of every language module that has one (`convertBatch`: G2PW for Mandarin), calling each model
 * once per round for all the runs it is asked about.
 *
 * Which runs a language module sees is decided by the pipeline itself (routing, pause marks, the retry below six
 * phones), so rather than duplicating those rules the pipeline runs against a table of converted runs: a run the
 * table lacks is answered, for that round only, by the module's synchronous `convert` and collected; the collected
 * runs are converted in one batch, and the pipeline runs again. The synchronous answer has the same phone counts
 * nearly always, so one round of model calls is the rule; a retry that only the model's answer triggers takes one
 * more round.
 * @module
 */
import type { LanguageModules } from './cleaner.ts';
import type { G2pResult, LanguageG2p, RunLanguage, SymbolTableVersion } from './types.ts';

/** First round, a retry the model's phone counts trigger, and a last round that must find everything. */
const MAX_ROUNDS = 4;

export async function withBatchedModules<T>(
  modules: LanguageModules,
  symbols: SymbolTableVersion,
  pipeline: (modules: LanguageModules) => T,
): Promise<T> {
  const batched = (Object.entries(modules) as [RunLanguage, LanguageG2p | undefined][]).filter(
    (entry): entry is [RunLanguage, LanguageG2p & Required<Pick<LanguageG2p, 'convertBatch'>>] => entry[1]?.convertBatch !== undefined,
  );
  if (batched.length === 0) return pipeline(modules);
  const converted = new Map<RunLanguage, Map<string, G2pResult>>(batched.map(([language]) => [language, new Map()]));
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    const wanted = new Map<RunLanguage, Set<string>>();
    const view: Partial<Record<RunLanguage, LanguageG2p>> = { ...modules };
    for (const [language, module] of batched) {
      const table = converted.get(language) ?? new Map<string, G2pResult>();
      view[language] = {
        language,
        convert(text, runSymbols) {
          const hit = runSymbols === symbols ? table.get(text) : undefined;
          if (hit !== undefined) return hit;
          wanted.set(language, (wanted.get(language) ?? new Set()).add(text));
          return module.convert(text, runSymbols);
        },
      };
    }
    const result = pipeline(view);
    if (wanted.size === 0) return result;
    for (const [language, module] of batched) {
      const texts = [...(wanted.get(language) ?? [])];
      if (texts.length === 0) continue;
      const results = await module.convertBatch(texts, symbols);
      if (results.length !== texts.length) throw new Error(`${language} convertBatch returned ${results.length} results for ${texts.length} texts`);
      const table = converted.get(language);
      texts.forEach((text, i) => table?.set(text, results[i] as G2pResult));
    }
  }
  throw new Error(`internal: language runs still unconverted after ${MAX_ROUNDS} rounds`);
}
