import { describe, expect, it } from 'vitest';
import { voiceVersion, type VoiceMaterial } from './voice-version.ts';

const material: VoiceMaterial = { model_sha256: 'a'.repeat(64), recordings: ['b'.repeat(64)], prompt_text: 'Café.', prompt_lang: 'en' };

describe('voice version', () => {
  it('changes with every input the audio depends on, and not with Unicode spelling', async () => {
    const base = await voiceVersion(material);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(await voiceVersion({ ...material, prompt_text: 'Cafe\u0301.' })).toBe(base);
    const changed = [
      { ...material, model_sha256: 'c'.repeat(64) },
      { ...material, recordings: ['b'.repeat(64), 'd'.repeat(64)] },
      { ...material, prompt_text: 'Café!' },
      { ...material, prompt_lang: 'zh' as const },
    ];
    for (const other of changed) expect(await voiceVersion(other)).not.toBe(base);
  });
});
