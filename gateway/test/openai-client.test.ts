/**
 * The official `openai` npm client, unchanged, with its base URL pointed at the gateway. Its transport is the
 * worker's own fetch entry (`exports.default.fetch`), so every request runs through the deployed worker entry point
 * exactly as an HTTP request to the gateway would.
 */
import { exports } from 'cloudflare:workers';
import OpenAI from 'openai';
import { Stream } from 'openai/streaming';
import { describe, expect, it } from 'vitest';
import { bearer, bytesOf, call, createKey } from './helpers.ts';

function client(apiKey: string, options: { maxRetries?: number } = {}): OpenAI {
  return new OpenAI({
    apiKey,
    baseURL: 'https://gateway.test/v1',
    fetch: (input, init) => exports.default.fetch(new Request(input, init)),
    ...options,
  });
}

describe('official openai client', () => {
  it('creates speech and gets the same audio the native route gives', async () => {
    const key = await createKey();
    const openai = client(key.secret);
    const speech = await openai.audio.speech.create({ model: 'tts-1', voice: 'tone', input: 'Hello from the OpenAI SDK.', response_format: 'wav' });
    expect(speech.headers.get('content-type')).toBe('audio/wav');
    const audio = new Uint8Array(await speech.arrayBuffer());
    expect(new TextDecoder().decode(audio.subarray(0, 4))).toBe('RIFF');

    const again = await openai.audio.speech.create({ model: 'gpt-4o-mini-tts', voice: { id: 'tone' }, input: 'Hello from the OpenAI SDK.', response_format: 'wav' });
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(audio);

    const native = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: JSON.stringify({ text: 'Hello from the OpenAI SDK.', voice: 'tone', format: 'wav' }) });
    expect(await bytesOf(native.response)).toEqual(audio);
    await native.settled();
  });

  it('streams speech.audio.delta events that the SDK SSE parser reads', async () => {
    const key = await createKey();
    const response = await client(key.secret).audio.speech.create({
      model: 'gpt-4o-mini-tts',
      voice: 'tone',
      input: 'Events from the SDK.',
      response_format: 'pcm',
      stream_format: 'sse',
    });
    const events: { type: string; audio?: string }[] = [];
    for await (const event of Stream.fromSSEResponse<{ type: string; audio?: string }>(response, new AbortController())) events.push(event);
    expect(events.at(-1)?.type).toBe('speech.audio.done');
    const deltas = events.filter((event) => event.type === 'speech.audio.delta');
    expect(deltas.length).toBeGreaterThan(0);
    const bytes = deltas.reduce((total, event) => total + atob(event.audio ?? '').length, 0);
    expect(bytes % 2).toBe(0);
    expect(bytes).toBeGreaterThan(32_000 * 0.1 * 2);
  });

  it('surfaces gateway errors as the SDK error classes, with code and param', async () => {
    const bad = client('sk_live_00000000000000000000000000000000000000');
    const auth = await bad.audio.speech.create({ model: 'tts-1', voice: 'tone', input: 'x' }).catch((error: unknown) => error);
    expect(auth).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(auth).toMatchObject({ status: 401, code: 'malformed_api_key' });

    const key = await createKey({ monthly_character_quota: 3 });
    const openai = client(key.secret);
    const invalid = await openai.audio.speech.create({ model: 'tts-1', voice: 'tone', input: 'hi', instructions: 'shout' }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(OpenAI.BadRequestError);
    expect(invalid).toMatchObject({ code: 'unknown_field', param: 'instructions' });

    const quota = await openai.audio.speech.create({ model: 'tts-1', voice: 'tone', input: 'too long', response_format: 'wav' }).catch((error: unknown) => error);
    expect(quota).toBeInstanceOf(OpenAI.APIError);
    expect(quota).toMatchObject({ status: 402, code: 'quota_exceeded', type: 'insufficient_quota' });

    const limited = client((await createKey({ requests_per_minute: 1 })).secret, { maxRetries: 0 });
    await limited.audio.speech.create({ model: 'tts-1', voice: 'tone', input: 'one', response_format: 'wav' }).then((speech) => speech.arrayBuffer());
    const rate = await limited.audio.speech.create({ model: 'tts-1', voice: 'tone', input: 'two', response_format: 'wav' }).catch((error: unknown) => error);
    expect(rate).toBeInstanceOf(OpenAI.RateLimitError);
    expect(rate).toMatchObject({ code: 'rate_limit_exceeded' });
  });
});
