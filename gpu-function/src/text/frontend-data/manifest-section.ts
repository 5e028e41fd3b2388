/**
 * The `frontend` section of a bundle's manifest: which frontend data sets the bundle carries, each with the files
 * it wrote and the source files (with their SHA-256) it was made from, and which data sets were looked for and not
 * found, with the reason. Paths of sources are relative to the GPT-SoVITS folder or to the site-packages folder
 * they were found in, so the manifest names no user's home directory.
 * @module
 */
import { sha256HexSchema } from '@gsv-edge/shared';
import { z } from 'zod';
import { FRONTEND_DATA_FILES, FRONTEND_DATA_IDS } from './catalog.ts';

export const frontendDataIdSchema = z.enum(FRONTEND_DATA_IDS);

export const frontendSourceSchema = z.strictObject({
  /**
   * `gpt-sovits`: under `--gpt-sovits-dir`; `site-packages`: under a Python site-packages folder; `nltk-data`: under
   * an NLTK data folder.
   */
  origin: z.enum(['gpt-sovits', 'site-packages', 'nltk-data']),
  /** Relative to that folder, with forward slashes (`GPT_SoVITS/text/tone_sandhi.py`, `pypinyin/pinyin_dict.json`). */
  path: z.string().regex(/^[^/\\][^\\]*$/u),
  sha256: sha256HexSchema,
});
export type FrontendSource = z.infer<typeof frontendSourceSchema>;

export const frontendDataEntrySchema = z.strictObject({
  id: frontendDataIdSchema,
  files: z.array(z.string()).min(1),
  sources: z.array(frontendSourceSchema).min(1),
});
export type FrontendDataEntry = z.infer<typeof frontendDataEntrySchema>;

export const missingFrontendDataSchema = z.strictObject({ id: frontendDataIdSchema, reason: z.string().min(1) });
export type MissingFrontendData = z.infer<typeof missingFrontendDataSchema>;

export const frontendManifestSchema = z
  .strictObject({
    data: z.array(frontendDataEntrySchema),
    missing: z.array(missingFrontendDataSchema),
  })
  .superRefine((section, context) => {
    const seen = new Set<string>();
    for (const { id } of [...section.data, ...section.missing]) {
      if (seen.has(id)) context.addIssue({ code: 'custom', message: `frontend data ${id} is listed twice` });
      seen.add(id);
    }
    section.data.forEach((entry, index) => {
      if (entry.files.join('\n') !== FRONTEND_DATA_FILES[entry.id].join('\n')) {
        context.addIssue({
          code: 'custom',
          path: ['data', index, 'files'],
          message: `${entry.id} must list exactly ${FRONTEND_DATA_FILES[entry.id].join(', ')}`,
        });
      }
    });
  });
export type FrontendManifest = z.infer<typeof frontendManifestSchema>;
