import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors/api-error.ts';
import { parseOrThrow } from '../errors/validation.ts';
import { SPEECH_FIELD_HINTS, speechRequestSchema } from './speech.ts';
import { ttsRequestSchema } from './tts.ts';

const parse = (body: unknown) => parseOrThrow(speechRequestSchema(), body, { hints: SPEECH_FIELD_HINTS });

function rejection(body: unknown): ApiError {
  try {
    parse(body);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('expected the body to be rejected');
}

describe('POST /v1/audio/speech body (OpenAI)', () => {
  it('accepts what the openai client sends and applies OpenAI defaults', () => {
    const request = parse({ model: 'tts-1', input: 'Hello there.', voice: 'alloy' });
    expect(request.model).toBe('tts-1');
    expect(request.stream_format).toBe('audio');
    expect(request.params).toMatchObject({ voice: 'alloy', format: 'mp3', speed: 1, text_lang: 'auto', seed: null });
  });

  it('accepts a voice given as an object and every response format', () => {
    for (const format of ['mp3', 'opus', 'aac', 'flac', 'wav', 'pcm']) {
      const request = parse({ model: 'gpt-4o-mini-tts', input: 'x', voice: { id: 'narrator' }, response_format: format });
      expect(request.params.voice).toBe('narrator');
      expect(request.params.format).toBe(format);
    }
  });

  it('describes the same synthesis as the native route with the same settings', () => {
    const openai = parse({ model: 'tts-1', input: 'Same words.', voice: 'v', response_format: 'wav', speed: 1.5 });
    const native = parseOrThrow(ttsRequestSchema(), { text: 'Same words.', voice: 'v', format: 'wav', speed: 1.5 });
    expect(openai.params).toEqual(native.params);
  });

  it.each([
    [{ input: 'x', voice: 'v' }, 'model', /required/],
    [{ model: '', input: 'x', voice: 'v' }, 'model', /at least 1 characters/],
    [{ model: 'tts-1', voice: 'v' }, 'input', /required/],
    [{ model: 'tts-1', input: 'x'.repeat(4097), voice: 'v' }, 'input', /at most 4096/],
    [{ model: 'tts-1', input: 'x' }, 'voice', /required/],
    [{ model: 'tts-1', input: 'x', voice: 7 }, 'voice', /voice id string/],
    [{ model: 'tts-1', input: 'x', voice: 'v', response_format: 'ogg' }, 'response_format', /must be one of/],
    [{ model: 'tts-1', input: 'x', voice: 'v', speed: 4.5 }, 'speed', /at most 4/],
    [{ model: 'tts-1', input: 'x', voice: 'v', speed: 0.2 }, 'speed', /at least 0.25/],
    [{ model: 'tts-1', input: 'x', voice: 'v', stream_format: 'chunks' }, 'stream_format', /must be one of/],
  ])('rejects %j naming `%s`', (body, field, message) => {
    const error = rejection(body);
    expect(error.status).toBe(400);
    expect(error.param).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('refuses OpenAI fields GPT-SoVITS cannot honour, saying why', () => {
    const error = rejection({ model: 'tts-1', input: 'x', voice: 'v', instructions: 'Speak cheerfully.' });
    expect(error.code).toBe('unknown_field');
    expect(error.param).toBe('instructions');
    expect(error.message).toMatch(/reference audio/);
  });

  it('refuses GPT-SoVITS parameters, which belong to /v1/tts', () => {
    const error = rejection({ model: 'tts-1', input: 'x', voice: 'v', top_k: 5 });
    expect(error.code).toBe('unknown_field');
    expect(error.param).toBe('top_k');
    expect(error.message).toContain('/v1/tts');
  });
});
