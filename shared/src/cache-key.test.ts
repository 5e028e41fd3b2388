import { describe, expect, it } from 'vitest';
import { canonicalSynthesisJson, resolveSynthesis, seedFromKey, synthesisKey, type VoiceIdentity } from './cache-key.ts';
import { parseOrThrow } from './errors/validation.ts';
import { speechRequestSchema } from './schemas/speech.ts';
import type { SynthesisParams } from './schemas/synthesis.ts';
import { ttsRequestSchema } from './schemas/tts.ts';

const voice: VoiceIdentity = { version: 'a'.repeat(64), model_sha256: 'b'.repeat(64) };
const tts = (body: Record<string, unknown>): SynthesisParams => parseOrThrow(ttsRequestSchema(), body).params;
const base = tts({ text: 'hello', voice: 'a' });

describe('synthesis key', () => {
  it('matches the published golden vector, in every runtime', async () => {
    // Written out by hand: RFC 8785 JSON of the defaults. Its SHA-256 was computed with `sha256sum`.
    expect(canonicalSynthesisJson(base, voice)).toBe(
      '{"key_version":1,"model_sha256":"' + 'b'.repeat(64) + '","params":{"chunking":{"mode":"segment"},' +
        '"format":"wav","fragment_interval":0.3,"repetition_penalty":1.35,"seed":null,"speed":1,"temperature":1,' +
        '"text":"hello","text_lang":"auto","text_split_method":"cut5","top_k":15,"top_p":1,"voice":"a"},' +
        '"voice_version":"' + 'a'.repeat(64) + '"}',
    );
    expect(await synthesisKey(base, voice)).toBe('a5920386c7fa9fdd7fd6676559a4d49401ab2b364bb724ccd688564dbb6e47e7');
  });

  it('does not depend on field order or on defaults being spelled out', async () => {
    const shuffled = tts({ voice: 'a', top_k: 15, format: 'wav', text: 'hello', text_lang: 'auto' });
    const reversed = Object.fromEntries(Object.entries(base).reverse()) as SynthesisParams;
    expect(await synthesisKey(shuffled, voice)).toBe(await synthesisKey(base, voice));
    expect(await synthesisKey(reversed, voice)).toBe(await synthesisKey(base, voice));
  });

  it('is the same for canonically equivalent Unicode text', async () => {
    const composed = tts({ text: 'caf\u00e9', voice: 'a' });
    const decomposed = { ...composed, text: 'cafe\u0301' };
    expect(await synthesisKey(decomposed, voice)).toBe(await synthesisKey(composed, voice));
  });

  it('is the same for an OpenAI request and the equivalent native request', async () => {
    const openai = parseOrThrow(speechRequestSchema(), { model: 'tts-1', input: 'hello', voice: 'a', response_format: 'wav' });
    expect(await synthesisKey(openai.params, voice)).toBe(await synthesisKey(base, voice));
  });

  it('does not depend on transport-only choices (streaming whole segments)', async () => {
    expect(await synthesisKey(tts({ text: 'hello', voice: 'a', stream: true }), voice)).toBe(await synthesisKey(base, voice));
  });

  it('changes with everything that changes the audio', async () => {
    const reference = await synthesisKey(base, voice);
    const variants: SynthesisParams[] = [
      { ...base, text: 'hello!' },
      { ...base, text: 'hello ' },
      { ...base, text_lang: 'en' },
      { ...base, voice: 'b' },
      { ...base, top_k: 14 },
      { ...base, top_p: 0.99 },
      { ...base, temperature: 0.9 },
      { ...base, repetition_penalty: 1.3 },
      { ...base, seed: 1 },
      { ...base, speed: 1.1 },
      { ...base, text_split_method: 'cut0' },
      { ...base, fragment_interval: 0.2 },
      { ...base, sample_steps: 8 },
      { ...base, format: 'flac' },
      tts({ text: 'hello', voice: 'a', stream: 2 }),
      tts({ text: 'hello', voice: 'a', stream: 3 }),
    ];
    const keys = new Set([reference]);
    for (const variant of variants) keys.add(await synthesisKey(variant, voice));
    keys.add(await synthesisKey(base, { ...voice, version: 'c'.repeat(64) }));
    keys.add(await synthesisKey(base, { ...voice, model_sha256: 'c'.repeat(64) }));
    expect(keys.size).toBe(variants.length + 3);
  });
});

describe('seed rule', () => {
  it('derives the seed from the key when none is given, so the same request samples the same tokens', async () => {
    const first = await resolveSynthesis(base, voice);
    const second = await resolveSynthesis({ ...base }, voice);
    expect(first).toEqual(second);
    expect(first.seed).toBe(0xa5920386);
    expect(first.seed).toBe(seedFromKey(first.synthesisKey ?? ''));
  });

  it('uses an explicit seed as given and keys the result by it', async () => {
    const resolved = await resolveSynthesis({ ...base, seed: 1234 }, voice);
    expect(resolved.seed).toBe(1234);
    expect(resolved.synthesisKey).not.toBe((await resolveSynthesis(base, voice)).synthesisKey);
  });

  it('treats seed -1 as random and uncacheable', async () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 8; i += 1) {
      const resolved = await resolveSynthesis({ ...base, seed: -1 }, voice);
      expect(resolved.synthesisKey).toBeNull();
      expect(Number.isInteger(resolved.seed) && resolved.seed >= 0 && resolved.seed <= 0xffffffff).toBe(true);
      seeds.add(resolved.seed);
    }
    expect(seeds.size).toBeGreaterThan(1);
  });
});
