import { describe, expect, it } from 'vitest';
import { parseOrThrow } from '../errors/validation.ts';
import { createVoiceRequestSchema, MAX_AUX_REFERENCES, voiceListSchema, voiceSchema } from './voices.ts';

const audio = 'UklGRiQAAABXQVZF'; // base64 of a RIFF/WAVE header prefix; content is checked after decoding, not here
const valid = { id: 'narrator-zh', model: 'gsv-v2', prompt_text: '今天天气不错。', prompt_lang: 'zh', ref_audio: audio };

const voice = {
  object: 'voice',
  id: 'narrator-zh',
  model: 'gsv-v2',
  model_sha256: 'b'.repeat(64),
  version: 'a'.repeat(64),
  prompt_text: '今天天气不错。',
  prompt_lang: 'zh',
  reference: { sha256: 'c'.repeat(64), duration_s: 4.2, sample_rate: 44100, channels: 2 },
  aux_references: [],
  sample_rate: 32000,
  description: '',
  created_at: '2026-11-25T10:00:00.000Z',
};

describe('voice schemas', () => {
  it('accepts a voice with defaults for the optional parts', () => {
    const request = parseOrThrow(createVoiceRequestSchema, valid);
    expect(request.aux_ref_audio).toEqual([]);
    expect(request.description).toBe('');
  });

  it('allows an empty transcript (reference-free mode) and auxiliary references', () => {
    const request = parseOrThrow(createVoiceRequestSchema, { ...valid, prompt_text: '', aux_ref_audio: [audio, audio] });
    expect(request.aux_ref_audio).toHaveLength(2);
  });

  it.each([
    [{ ...valid, id: 'Bad Id' }, 'id'],
    [{ ...valid, model: undefined }, 'model'],
    [{ ...valid, prompt_lang: 'de' }, 'prompt_lang'],
    [{ ...valid, prompt_text: 'x'.repeat(1001) }, 'prompt_text'],
    [{ ...valid, ref_audio: 'not base64!' }, 'ref_audio'],
    [{ ...valid, ref_audio: undefined }, 'ref_audio'],
    [{ ...valid, aux_ref_audio: [audio, 5] }, 'aux_ref_audio.1'],
    [{ ...valid, aux_ref_audio: Array.from({ length: MAX_AUX_REFERENCES + 1 }, () => audio) }, 'aux_ref_audio'],
    [{ ...valid, ref_audio_path: '/srv/ref.wav' }, 'ref_audio_path'],
  ])('rejects a bad voice naming `%s`', (body, field) => {
    expect(() => parseOrThrow(createVoiceRequestSchema, body)).toThrow(expect.objectContaining({ param: field, status: 400 }));
  });

  it('describes a stored voice and a list of them', () => {
    expect(parseOrThrow(voiceSchema, voice).reference.sample_rate).toBe(44100);
    expect(parseOrThrow(voiceListSchema, { object: 'list', data: [voice] }).data).toHaveLength(1);
    expect(() => parseOrThrow(voiceSchema, { ...voice, version: 'xyz' })).toThrow(expect.objectContaining({ param: 'version' }));
    expect(() => parseOrThrow(voiceSchema, { ...voice, created_at: 'yesterday' })).toThrow(/ISO 8601/);
  });
});
