import { describe, expect, it } from 'vitest';
import { parseOrThrow } from '../errors/validation.ts';
import { synthesisJobSchema } from './internal.ts';
import { ttsRequestSchema } from './tts.ts';

const { params } = parseOrThrow(ttsRequestSchema(), { text: 'Hello.', voice: 'v' });
const job = {
  request_id: 'req-1',
  client_request_id: 'client-7',
  params,
  seed: 7,
  voice_version: 'a'.repeat(64),
  synthesis_key: 'b'.repeat(64),
  stream: false,
};

describe('gateway -> GPU function job', () => {
  it('carries normalized params, the resolved seed and the key', () => {
    expect(parseOrThrow(synthesisJobSchema, job)).toEqual(job);
    expect(parseOrThrow(synthesisJobSchema, { ...job, synthesis_key: null }).synthesis_key).toBeNull();
    // The client's id is for logs only, and optional.
    const { client_request_id: _omitted, ...withoutClientId } = job;
    expect(parseOrThrow(synthesisJobSchema, withoutClientId).client_request_id).toBeNull();
  });

  it.each([
    [{ ...job, seed: -1 }, 'seed'],
    [{ ...job, request_id: '' }, 'request_id'],
    // Found by the bad-input suite: a request id a header cannot carry made the answer a text/plain 500.
    [{ ...job, request_id: '뢃뢃' }, 'request_id'],
    [{ ...job, request_id: '\ufffd' }, 'request_id'],
    [{ ...job, request_id: 'two words' }, 'request_id'],
    [{ ...job, request_id: 'line\nbreak' }, 'request_id'],
    [{ ...job, voice_version: 'nope' }, 'voice_version'],
    [{ ...job, params: { ...params, top_k: 0 } }, 'params.top_k'],
    [{ ...job, params: { ...params, chunking: { mode: 'tokens' } } }, 'params.chunking.split'],
    [{ ...job, params: { ...params, extra: 1 } }, 'params.extra'],
  ])('rejects a malformed job naming `%s`', (body, field) => {
    expect(() => parseOrThrow(synthesisJobSchema, body)).toThrow(expect.objectContaining({ param: field }));
  });
});
