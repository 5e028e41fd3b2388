/**
 * The G2PW model a bundle carries (`<bundle>/g2pw/`) and the manifest's `g2pw` section that records it: each file
 * the bundle holds and the user's file it was copied from (with its SHA-256). Bundle names are lower-case, as every
 * bundle path is; the sources keep GPT-SoVITS's names.
 *
 *   <bundle>/g2pw/g2pw.onnx                                 g2pW.onnx (the model)
 *   <bundle>/g2pw/config.py                                 config.py (use_mask, use_char_phoneme)
 *   <bundle>/g2pw/polyphonic_chars.txt                      POLYPHONIC_CHARS.txt
 *   <bundle>/g2pw/monophonic_chars.txt                      MONOPHONIC_CHARS.txt
 *   <bundle>/g2pw/bopomofo_to_pinyin_wo_tune_dict.json      bopomofo_to_pinyin_wo_tune_dict.json
 *   <bundle>/g2pw/polyphonic.rep, polyphonic-fix.rep        GPT-SoVITS's post-fix dictionaries (text/g2pw/), if any
 * @module
 */
import { sha256HexSchema } from '@gsv-edge/shared';
import { z } from 'zod';

export const G2PW_BUNDLE_DIR = 'g2pw';
export const G2PW_MODEL_PATH = 'g2pw/g2pw.onnx';

/** The files every G2PW bundle has, in manifest order. */
export const G2PW_BUNDLE_FILES = {
  model: G2PW_MODEL_PATH,
  config: 'g2pw/config.py',
  polyphonicChars: 'g2pw/polyphonic_chars.txt',
  monophonicChars: 'g2pw/monophonic_chars.txt',
  bopomofoToPinyin: 'g2pw/bopomofo_to_pinyin_wo_tune_dict.json',
} as const;

/** The post-fix dictionaries, in the order GPT-SoVITS reads them (the fix file's entries win). */
export const G2PW_BUNDLE_REP_FILES = ['g2pw/polyphonic.rep', 'g2pw/polyphonic-fix.rep'] as const;

const REQUIRED = Object.values(G2PW_BUNDLE_FILES);

export const g2pwSourceSchema = z.strictObject({
  /** `g2pw-folder`: under `--g2pw`; `gpt-sovits`: under `--gpt-sovits-dir`. */
  origin: z.enum(['g2pw-folder', 'gpt-sovits']),
  /** Relative to that folder, with forward slashes (`g2pW.onnx`, `GPT_SoVITS/text/g2pw/polyphonic.rep`). */
  path: z.string().regex(/^[^/\\][^\\]*$/u),
  sha256: sha256HexSchema,
});

export const g2pwManifestSchema = z
  .strictObject({
    /** Bundle paths, with role `g2pw` in the file list. */
    files: z.array(z.string()),
    /** The source of each file, in the same order. */
    sources: z.array(g2pwSourceSchema),
  })
  .superRefine((section, context) => {
    const head = section.files.slice(0, REQUIRED.length);
    const reps = section.files.slice(REQUIRED.length);
    const repsInOrder = G2PW_BUNDLE_REP_FILES.filter((file) => reps.includes(file));
    if (head.join('\n') !== REQUIRED.join('\n') || reps.join('\n') !== repsInOrder.join('\n')) {
      context.addIssue({
        code: 'custom',
        path: ['files'],
        message: `must list ${REQUIRED.join(', ')}, then any of ${G2PW_BUNDLE_REP_FILES.join(', ')}, in that order`,
      });
    }
    if (section.sources.length !== section.files.length) {
      context.addIssue({ code: 'custom', path: ['sources'], message: `needs one source per file (${section.files.length})` });
    }
  });
export type G2pwManifest = z.infer<typeof g2pwManifestSchema>;
