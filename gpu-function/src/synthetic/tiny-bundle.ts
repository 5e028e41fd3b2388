/**
 * A complete model bundle from synthetic weights (the real architecture at the tiny size, random weights): what
 * the server's tests, the end-to-end tests and `npm start`'s default voice run on when no GPT-SoVITS model is at
 * hand. It speaks nonsense at the right length and sample rate.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { floatToPcm16 } from '../audio/pcm.ts';
import { encodeWav } from '../audio/wav.ts';
import { buildBundle } from '../models/bundle/build.ts';
import { writeSyntheticModelSet, type SyntheticModelVersion } from './model-set.ts';

/**
 * Builds the bundle into `out` (its folder name is the model id); the checkpoints are written to a temporary folder.
 * v2Pro/v2ProPlus bundles carry a tiny speaker-verification model too; v3/v4 ones a tiny CFM (DiT of width 32, 2
 * blocks) and a tiny vocoder (v4 HiFi-GAN, 48 kHz; v3 BigVGAN, 24 kHz).
 */
export async function buildTinyBundle(out: string, seed = 11, version: SyntheticModelVersion = 'v2'): Promise<void> {
  const sources = await mkdtemp(join(tmpdir(), 'gsv-tiny-sources-'));
  try {
    const models = await writeSyntheticModelSet(sources, { size: 'tiny', sovitsVersion: version, bert: true, hubert: true, seed });
    await buildBundle({
      sources: {
        gpt: models.gpt,
        sovits: models.sovits,
        bert: models.bert ?? '',
        hubert: models.hubert ?? '',
        ...(models.sv === undefined ? {} : { sv: models.sv }),
        ...(models.vocoder === undefined ? {} : { vocoder: models.vocoder }),
      },
      out,
      precisions: ['fp32'],
    });
  } finally {
    await rm(sources, { recursive: true, force: true });
  }
}

/**
 * A 4-second reference clip that passes GPT-SoVITS's 3-10 s gate: a voiced-sounding tone with a slow vibrato and
 * syllable-like loudness, as a 32 kHz 16-bit WAV.
 */
export function referenceClip(seconds = 4, rate = 32_000): Uint8Array {
  const samples = Float32Array.from({ length: seconds * rate }, (_, i) => {
    const t = i / rate;
    const pitch = 160 + 12 * Math.sin(2 * Math.PI * 5 * t);
    const syllables = 0.55 + 0.45 * Math.sin(2 * Math.PI * 3 * t);
    return 0.3 * syllables * (Math.sin(2 * Math.PI * pitch * t) + 0.4 * Math.sin(4 * Math.PI * pitch * t));
  });
  return encodeWav(floatToPcm16(samples), rate);
}
