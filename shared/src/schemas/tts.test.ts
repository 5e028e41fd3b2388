import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { parseOrThrow } from '../errors/validation.ts';
import { TTS_FIELD_HINTS, ttsRequestSchema } from './tts.ts';

const schema = ttsRequestSchema();
const parse = (body: unknown) => parseOrThrow(schema, body, { hints: TTS_FIELD_HINTS });

function rejection(body: unknown): ApiError {
  try {
    parse(body);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the body to be rejected');
}

describe('POST /v1/tts body', () => {
  it('fills in GPT-SoVITS api_v2 defaults', () => {
    const { params, stream } = parse({ text: '你好，世界。', voice: 'narrator' });
    expect(stream).toBe(false);
    expect(params).toEqual({
      text: '你好，世界。',
      text_lang: 'auto',
      voice: 'narrator',
      top_k: 15,
      top_p: 1,
      temperature: 1,
      repetition_penalty: 1.35,
      seed: null,
      speed: 1,
      text_split_method: 'cut5',
      fragment_interval: 0.3,
      format: 'wav',
      chunking: { mode: 'segment' },
    });
  });

  it('keeps every value the caller gives', () => {
    const { params } = parse({
      text: 'Hello.',
      text_lang: 'en',
      voice: 'v1',
      top_k: 5,
      top_p: 0.8,
      temperature: 0.7,
      repetition_penalty: 1.1,
      seed: 42,
      speed: 1.25,
      text_split_method: 'cut0',
      fragment_interval: 0,
      format: 'flac',
    });
    expect(params).toMatchObject({
      text_lang: 'en',
      top_k: 5,
      top_p: 0.8,
      temperature: 0.7,
      repetition_penalty: 1.1,
      seed: 42,
      speed: 1.25,
      text_split_method: 'cut0',
      fragment_interval: 0,
      format: 'flac',
    });
  });

  it('accepts every GPT-SoVITS language code', () => {
    for (const lang of ['auto', 'auto_yue', 'zh', 'en', 'ja', 'ko', 'yue', 'all_zh', 'all_ja', 'all_ko', 'all_yue']) {
      expect(parse({ text: 'x', voice: 'v', text_lang: lang }).params.text_lang).toBe(lang);
    }
  });

  it('takes api_v2 names as aliases so existing clients keep working', () => {
    const request = parse({ text: 'x', voice: 'v', speed_factor: 0.9, media_type: 'raw', streaming_mode: 3, min_chunk_length: 24 });
    expect(request.stream).toBe(true);
    expect(request.params.speed).toBe(0.9);
    expect(request.params.format).toBe('pcm');
    expect(request.params.chunking).toEqual({ mode: 'tokens', split: 'fixed', min_chunk_length: 24, overlap_length: 2 });
    expect(parse({ text: 'x', voice: 'v', media_type: 'ogg' }).params.format).toBe('opus');
  });

  it('maps stream modes: true/1 stream whole segments, 2 cuts at quiet tokens', () => {
    expect(parse({ text: 'x', voice: 'v', stream: true })).toMatchObject({ stream: true, params: { chunking: { mode: 'segment' } } });
    expect(parse({ text: 'x', voice: 'v', stream: 1 })).toMatchObject({ stream: true, params: { chunking: { mode: 'segment' } } });
    expect(parse({ text: 'x', voice: 'v', stream: 2 }).params.chunking).toMatchObject({ mode: 'tokens', split: 'quiet' });
    expect(parse({ text: 'x', voice: 'v', stream: 0 }).stream).toBe(false);
  });

  it('accepts api_v2 scheduling knobs without letting them change the request', () => {
    const plain = parse({ text: 'x', voice: 'v' });
    const withKnobs = parse({
      text: 'x',
      voice: 'v',
      batch_size: 20,
      batch_threshold: 0.75,
      split_bucket: true,
      parallel_infer: true,
      super_sampling: false,
    });
    expect(withKnobs).toEqual(plain);
  });

  it('carries sample_steps only when given, so requests without it keep their synthesis key', () => {
    expect(parse({ text: 'x', voice: 'v' }).params).not.toHaveProperty('sample_steps');
    expect(parse({ text: 'x', voice: 'v', sample_steps: 8 }).params.sample_steps).toBe(8);
  });

  it('normalizes text to Unicode NFC', () => {
    expect(parse({ text: 'Cafe\u0301', voice: 'v' }).params.text).toBe('Caf\u00e9');
  });

  it.each([
    [{ voice: 'v' }, 'text', /required/],
    [{ text: '', voice: 'v' }, 'text', /some text/],
    [{ text: '  \n ', voice: 'v' }, 'text', /some text/],
    [{ text: 'a\u0000b', voice: 'v' }, 'text', /control characters/],
    [{ text: 'bad \ud800 surrogate', voice: 'v' }, 'text', /lone surrogate/],
    [{ text: 'x' }, 'voice', /required/],
    [{ text: 'x', voice: '../etc/passwd' }, 'voice', /a-z, 0-9/],
    [{ text: 'x', voice: 'v', text_lang: 'fr' }, 'text_lang', /must be one of/],
    [{ text: 'x', voice: 'v', top_k: 0 }, 'top_k', /at least 1, got 0/],
    [{ text: 'x', voice: 'v', top_k: 2.5 }, 'top_k', /integer/],
    [{ text: 'x', voice: 'v', top_k: 5000 }, 'top_k', /at most 1025/],
    [{ text: 'x', voice: 'v', top_p: 0 }, 'top_p', /greater than 0/],
    [{ text: 'x', voice: 'v', top_p: 1.5 }, 'top_p', /at most 1/],
    [{ text: 'x', voice: 'v', temperature: 0 }, 'temperature', /greater than 0/],
    [{ text: 'x', voice: 'v', temperature: '1' }, 'temperature', /must be a number, got "1"/],
    [{ text: 'x', voice: 'v', repetition_penalty: 3 }, 'repetition_penalty', /at most 2/],
    [{ text: 'x', voice: 'v', seed: -2 }, 'seed', /at least -1/],
    [{ text: 'x', voice: 'v', seed: 2 ** 32 }, 'seed', /at most 4294967295/],
    [{ text: 'x', voice: 'v', speed: 0.1 }, 'speed', /at least 0.25/],
    [{ text: 'x', voice: 'v', speed_factor: 5 }, 'speed_factor', /at most 4/],
    [{ text: 'x', voice: 'v', text_split_method: 'cut9' }, 'text_split_method', /must be one of/],
    [{ text: 'x', voice: 'v', fragment_interval: -1 }, 'fragment_interval', /at least 0/],
    [{ text: 'x', voice: 'v', format: 'ogg' }, 'format', /must be one of/],
    [{ text: 'x', voice: 'v', media_type: 'mp4' }, 'media_type', /must be one of/],
    [{ text: 'x', voice: 'v', stream: 4 }, 'stream', /streaming_mode 0-3/],
    [{ text: 'x', voice: 'v', min_chunk_length: 1 }, 'min_chunk_length', /at least 4/],
    [{ text: 'x', voice: 'v', sample_steps: 3 }, 'sample_steps', /at least 4/],
    [{ text: 'x', voice: 'v', sample_steps: 129 }, 'sample_steps', /at most 128/],
    [{ text: 'x', voice: 'v', sample_steps: 8.5 }, 'sample_steps', /integer/],
    [{ text: 'x', voice: 'v', speed: 1, speed_factor: 1 }, 'speed_factor', /only one/],
    [{ text: 'x', voice: 'v', format: 'wav', media_type: 'wav' }, 'media_type', /only one/],
    [{ text: 'x', voice: 'v', stream: true, streaming_mode: 1 }, 'streaming_mode', /only one/],
  ])('rejects %j naming `%s`', (body, field, message) => {
    const error = rejection(body);
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_field');
    expect(error.param).toBe(field);
    expect(error.message).toContain(`\`${field}\``);
    expect(error.message).toMatch(message);
  });

  it('rejects unknown fields by name, so typos are never silently ignored', () => {
    const error = rejection({ text: 'x', voice: 'v', temprature: 0.5 });
    expect(error.code).toBe('unknown_field');
    expect(error.param).toBe('temprature');
    expect(error.message).toContain('`temprature`');
  });

  it('points api_v2 reference-audio fields at voices', () => {
    for (const field of ['ref_audio_path', 'prompt_text', 'prompt_lang', 'aux_ref_audio_paths']) {
      const error = rejection({ text: 'x', voice: 'v', [field]: 'a' });
      expect(error.param).toBe(field);
      expect(error.message).toContain('/v1/voices');
    }
  });

  it('rejects a body that is not an object', () => {
    for (const body of [null, 'text', 42, ['x']]) {
      const error = rejection(body);
      expect(error.status).toBe(400);
      expect(error.param).toBeNull();
      expect(error.message).toMatch(/request body must be an object/);
    }
  });

  it('counts the length limit in characters, not UTF-16 units, and takes it from configuration', () => {
    const small = ttsRequestSchema(3);
    expect(parseOrThrow(small, { text: '😀😀😀', voice: 'v' }).params.text).toBe('😀😀😀');
    expect(() => parseOrThrow(small, { text: 'abcd', voice: 'v' })).toThrow(/at most 3 characters/);
    expect(() => parse({ text: 'x'.repeat(4097), voice: 'v' })).toThrow(/at most 4096 characters/);
    expect(parse({ text: 'x'.repeat(4096), voice: 'v' }).params.text).toHaveLength(4096);
  });
});
