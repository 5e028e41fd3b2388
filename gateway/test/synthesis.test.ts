/**
 * Public synthesis routes end to end inside workerd: validation before any origin call, the phrase cache (MISS then
 * HIT with identical bytes, Range, R2 behind the Cache API, random seeds), SSE, voices, and GPU error mapping.
 */
import { describe, expect, it } from 'vitest';
import { isSingleRange, parseRange } from '../src/services/byte-range.ts';
import { bearer, bytesOf, changeVoice, call, createKey, errorOf, originStats, origins, phraseEdgeUrl } from './helpers.ts';

const text = 'Hello from the phrase cache.';

async function tts(secret: string, body: Record<string, unknown>, vars: Record<string, string>, headers: Record<string, string> = {}) {
  const result = await call('/v1/tts', { method: 'POST', headers: bearer(secret, headers), body: JSON.stringify(body) }, vars);
  const bytes = await bytesOf(result.response);
  await result.settled();
  return { response: result.response, bytes };
}

describe('phrase cache', () => {
  it('answers MISS, then HIT with byte-identical audio and no second GPU call', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-cache') };
    const miss = await tts(key.secret, { text, voice: 'tone' }, vars, { 'x-request-id': 'client-req-1' });
    expect(miss.response.status).toBe(200);
    expect(miss.response.headers.get('x-cache')).toBe('MISS');
    expect(miss.response.headers.get('content-type')).toBe('audio/wav');
    expect(new TextDecoder().decode(miss.bytes.subarray(0, 4))).toBe('RIFF');
    expect(miss.response.headers.get('x-request-id')).toBe('client-req-1');
    const synthesisKey = miss.response.headers.get('x-gsv-synthesis-key');
    expect(synthesisKey).toMatch(/^[0-9a-f]{64}$/);

    const hit = await tts(key.secret, { text, voice: 'tone' }, vars);
    expect(hit.response.headers.get('x-cache')).toBe('HIT');
    expect(hit.bytes).toEqual(miss.bytes);
    expect(hit.response.headers.get('x-gsv-synthesis-key')).toBe(synthesisKey);
    expect(hit.response.headers.get('x-gsv-seed')).toBe(miss.response.headers.get('x-gsv-seed'));
    expect(hit.response.headers.get('cache-control')).toBe('private, max-age=86400, immutable');

    const stats = await originStats('ok-cache');
    expect(stats.synthesize).toBe(1);
    // The GPU job carries the gateway's own id; the client's id travels beside it, for logs only.
    expect(stats.requestIds[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(stats.jobs[0]).toMatchObject({ request_id: stats.requestIds[0], client_request_id: 'client-req-1', synthesis_key: synthesisKey, stream: false });
  });

  it('shares one key between an OpenAI request and the equivalent native request', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-shared') };
    const speech = await call(
      '/v1/audio/speech',
      { method: 'POST', headers: bearer(key.secret), body: JSON.stringify({ model: 'gsv', input: 'Said twice.', voice: 'tone-b', response_format: 'wav' }) },
      vars,
    );
    const speechBytes = await bytesOf(speech.response);
    await speech.settled();
    expect(speech.response.headers.get('x-cache')).toBe('MISS');
    const native = await tts(key.secret, { text: 'Said twice.', voice: 'tone-b', text_lang: 'auto', format: 'wav' }, vars);
    expect(native.response.headers.get('x-cache')).toBe('HIT');
    expect(native.bytes).toEqual(speechBytes);
  });

  it('answers Range requests on cached audio with 206, on POST and on the playback URL', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-range') };
    const full = await tts(key.secret, { text: 'A phrase to seek in.', voice: 'tone' }, vars);
    const synthesisKey = full.response.headers.get('x-gsv-synthesis-key') ?? '';

    const ranged = await tts(key.secret, { text: 'A phrase to seek in.', voice: 'tone' }, vars, { range: 'bytes=0-43' });
    expect(ranged.response.status).toBe(206);
    expect(ranged.response.headers.get('content-range')).toBe(`bytes 0-43/${String(full.bytes.length)}`);
    expect(ranged.bytes).toEqual(full.bytes.subarray(0, 44));

    const playback = await call(`/v1/audio/${synthesisKey}`, { headers: bearer(key.secret, { range: 'bytes=100-' }) }, vars);
    const tail = await bytesOf(playback.response);
    expect(playback.response.status).toBe(206);
    expect(tail).toEqual(full.bytes.subarray(100));
    expect(playback.response.headers.get('x-cache')).toBe('HIT');

    const whole = await call(`/v1/audio/${synthesisKey}`, { headers: bearer(key.secret, { range: 'bytes=0-1,5-9' }) }, vars);
    expect(whole.response.status).toBe(200);
    expect(await bytesOf(whole.response)).toEqual(full.bytes);

    const unknown = await call(`/v1/audio/${'0'.repeat(64)}`, { headers: bearer(key.secret) }, vars);
    expect(unknown.response.status).toBe(404);
    expect((await errorOf(unknown.response)).param).toBe('synthesis_key');
    expect((await originStats('ok-range')).synthesize).toBe(1);
  });

  it('falls back to R2 when this data center has lost the phrase, and refills the Cache API', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-r2') };
    const miss = await tts(key.secret, { text: 'Durable phrase.', voice: 'tone' }, vars);
    const edgeUrl = await phraseEdgeUrl(key.id, miss.response.headers.get('x-gsv-synthesis-key') ?? '');
    const edge = await caches.open('gsv-phrases');
    expect(await edge.delete(edgeUrl)).toBe(true);

    const fromR2 = await tts(key.secret, { text: 'Durable phrase.', voice: 'tone' }, vars, { range: 'bytes=-10' });
    expect(fromR2.response.status).toBe(206);
    expect(fromR2.bytes).toEqual(miss.bytes.subarray(-10));
    expect(await edge.match(edgeUrl)).toBeDefined();
    expect((await originStats('ok-r2')).synthesize).toBe(1);
  });

  it('never caches a random-seed request', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-random') };
    const first = await tts(key.secret, { text: 'Random every time.', voice: 'tone', seed: -1 }, vars);
    const second = await tts(key.secret, { text: 'Random every time.', voice: 'tone', seed: -1 }, vars);
    expect([first.response.headers.get('x-cache'), second.response.headers.get('x-cache')]).toEqual(['MISS', 'MISS']);
    expect(first.response.headers.get('cache-control')).toBe('no-store');
    const stats = await originStats('ok-random');
    expect(stats.synthesize).toBe(2);
    expect(stats.jobs.map((job) => job.synthesis_key)).toEqual([null, null]);
  });

  it('streams a native stream request chunk by chunk and caches it once complete', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-stream') };
    const streamed = await tts(key.secret, { text: 'Streamed raw.', voice: 'tone', stream: true, media_type: 'raw' }, vars);
    expect(streamed.response.headers.get('x-cache')).toBe('MISS');
    expect(streamed.response.headers.get('content-type')).toBe('audio/pcm');
    expect(streamed.response.headers.get('content-length')).toBeNull();
    expect((await originStats('ok-stream')).jobs[0]?.stream).toBe(true);
    const again = await tts(key.secret, { text: 'Streamed raw.', voice: 'tone', streaming_mode: 1, format: 'pcm' }, vars);
    expect(again.response.headers.get('x-cache')).toBe('HIT');
    expect(again.bytes).toEqual(streamed.bytes);
  });
});

describe('OpenAI speech SSE', () => {
  it('sends speech.audio.delta events that decode to the audio, then speech.audio.done', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-sse') };
    const body = { model: 'gsv', input: 'Streaming events.', voice: 'tone', response_format: 'wav', stream_format: 'sse' };
    const decode = async () => {
      const result = await call('/v1/audio/speech', { method: 'POST', headers: bearer(key.secret), body: JSON.stringify(body) }, vars);
      expect(result.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
      const events = (await result.response.text())
        .split('\n\n')
        .filter((block) => block.startsWith('data: '))
        .map((block) => JSON.parse(block.slice(6)) as { type: string; audio?: string; usage?: unknown });
      await result.settled();
      const binary = events.filter((event) => event.type === 'speech.audio.delta').map((event) => atob(event.audio ?? '')).join('');
      return { events, audio: Uint8Array.from(binary, (char) => char.charCodeAt(0)), cache: result.response.headers.get('x-cache') };
    };
    const miss = await decode();
    expect(miss.cache).toBe('MISS');
    expect(miss.events.at(-1)).toEqual({ type: 'speech.audio.done', usage: { input_tokens: 17, output_tokens: 0, total_tokens: 17 } });
    expect(new TextDecoder().decode(miss.audio.subarray(0, 4))).toBe('RIFF');
    const hit = await decode();
    expect(hit.cache).toBe('HIT');
    expect(hit.audio).toEqual(miss.audio);
  });
});

describe('input validation, before any origin call', () => {
  it.each([
    ['/v1/tts', { text: 'hi', voice: 'tone', temprature: 0.5 }, 400, 'unknown_field', 'temprature'],
    ['/v1/tts', { text: 'hi', voice: 'tone', top_k: 0 }, 400, 'invalid_field', 'top_k'],
    ['/v1/tts', { voice: 'tone' }, 400, 'invalid_field', 'text'],
    ['/v1/tts', { text: 'hi', voice: 'tone', ref_audio_path: '/etc/passwd' }, 400, 'unknown_field', 'ref_audio_path'],
    ['/v1/audio/speech', { model: 'm', input: 'hi', voice: 'tone', instructions: 'whisper' }, 400, 'unknown_field', 'instructions'],
    ['/v1/audio/speech', { model: 'm', input: 'x'.repeat(4097), voice: 'tone' }, 400, 'invalid_field', 'input'],
  ])('%s %j -> %i %s naming %s', async (path, body, status, code, param) => {
    const key = await createKey();
    const { response } = await call(path, { method: 'POST', headers: bearer(key.secret), body: JSON.stringify(body) }, { GPU_ORIGINS: origins('ok-invalid') });
    expect(response.status).toBe(status);
    expect(await errorOf(response)).toMatchObject({ code, param });
  });

  it('refuses malformed JSON, other content types and oversized bodies', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-invalid') };
    const post = (body: string, headers: Record<string, string> = {}) =>
      call('/v1/tts', { method: 'POST', headers: bearer(key.secret, headers), body }, vars).then((result) => result.response);
    expect(await errorOf(await post('{"text":'))).toMatchObject({ code: 'invalid_json' });
    const form = await post('text=hi', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(form.status).toBe(415);
    const huge = await post(JSON.stringify({ text: 'a'.repeat(70_000), voice: 'tone' }));
    expect(huge.status).toBe(413);
    expect((await errorOf(huge)).code).toBe('payload_too_large');
    expect((await originStats('ok-invalid')).synthesize).toBe(0);
  });
});

describe('voices', () => {
  it('lists the gateway\'s voices and answers an unknown voice with 404 voice_not_found', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-voices') };
    const list = await call('/v1/voices', { headers: bearer(key.secret) }, vars);
    const voices = await list.response.json<{ object: string; data: { id: string }[] }>();
    expect(voices.object).toBe('list');
    expect(voices.data.map((voice) => voice.id)).toContain('tone');
    const missing = await tts(key.secret, { text, voice: 'nobody' }, vars);
    expect(missing.response.status).toBe(404);
    expect(JSON.parse(new TextDecoder().decode(missing.bytes))).toMatchObject({ error: { code: 'voice_not_found', param: 'voice' } });
    // No GPU function is asked anything about voices: they are the gateway's.
    expect(await originStats('ok-voices')).toMatchObject({ models: 0, synthesize: 0 });
  });

  it('picks up a voice changed elsewhere at the next miss: the GPU refuses the stale version, the gateway relists and rekeys', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-mutable'), VOICE_CACHE_TTL_SECONDS: '3600' };
    const before = await tts(key.secret, { text: 'Before the change.', voice: 'tone-mutable' }, vars);
    await changeVoice('tone-mutable');
    const fresh = await tts(key.secret, { text: 'After the change.', voice: 'tone-mutable' }, vars);
    expect(fresh.response.status).toBe(200);
    const stats = await originStats('ok-mutable');
    expect(stats.synthesize).toBe(3); // the first phrase, the refused stale attempt, the retry
    expect(stats.jobs[1]?.voice_version).not.toBe(stats.jobs[2]?.voice_version);
    // The relisted version rekeys the old phrase too: its old audio is not replayed.
    const again = await tts(key.secret, { text: 'Before the change.', voice: 'tone-mutable' }, vars);
    expect(again.response.headers.get('x-cache')).toBe('MISS');
    expect(again.response.headers.get('x-gsv-synthesis-key')).not.toBe(before.response.headers.get('x-gsv-synthesis-key'));
  });
});

describe('GPU errors', () => {
  it('passes a GPU function error about the request on, naming the client\'s field', async () => {
    const key = await createKey();
    const failed = await tts(key.secret, { text: 'As mp3.', voice: 'tone', format: 'mp3' }, { GPU_ORIGINS: origins('ok-errors') });
    const { response } = failed;
    expect(response.status).toBe(400);
    expect(JSON.parse(new TextDecoder().decode(failed.bytes))).toMatchObject({ error: { code: 'invalid_field', param: 'format' } });
    expect(response.headers.get('ratelimit-limit')).toBe('1000');
  });

  // Found by scripts/reliability/bad-input.ts: the OpenAI route answered naming `format` and `text`, fields it
  // does not have.
  it('names the OpenAI route\'s own field when a GPU function refuses a parameter', async () => {
    const key = await createKey();
    const result = await call('/v1/audio/speech', { method: 'POST', headers: bearer(key.secret), body: JSON.stringify({ model: 'gsv', input: 'As mp3.', voice: 'tone', response_format: 'mp3' }) }, { GPU_ORIGINS: origins('ok-errors') });
    expect(result.response.status).toBe(400);
    expect(await errorOf(result.response)).toMatchObject({ code: 'invalid_field', param: 'response_format' });
    await result.settled();
  });
});

describe('byte ranges', () => {
  it('parses single ranges and leaves everything else to a full answer', () => {
    expect(parseRange('bytes=0-9', 100)).toEqual({ start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ start: 90, end: 99 });
    expect(parseRange('bytes=-5', 100)).toEqual({ start: 95, end: 99 });
    expect(parseRange('bytes=50-500', 100)).toEqual({ start: 50, end: 99 });
    expect(parseRange('bytes=100-', 100)).toBeNull();
    expect(parseRange('bytes=0-1,3-4', 100)).toBeNull();
    expect(parseRange('items=0-1', 100)).toBeNull();
    expect(isSingleRange('bytes=-')).toBe(false);
  });
});
