import { describe, expect, it } from 'vitest';
import { ApiError, errorEnvelopeSchema } from './api-error.ts';
import { ERROR_CODES, type ErrorCode } from './codes.ts';
import { parseJsonBody } from './validation.ts';

describe('error envelope', () => {
  it('answers in the OpenAI envelope with the status of its code', async () => {
    const response = new ApiError('voice_not_found', 'No voice "x".', { param: 'voice' }).toResponse();
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: { type: 'not_found_error', code: 'voice_not_found', message: 'No voice "x".', param: 'voice' },
    });
  });

  it('sends Retry-After in whole seconds when a retry can help', () => {
    const response = new ApiError('rate_limit_exceeded', 'Slow down.', { retryAfterSeconds: 2.1 }).toResponse();
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3');
  });

  it('maps every code to a 4xx or 5xx status and a known type', () => {
    for (const [code, spec] of Object.entries(ERROR_CODES)) {
      expect(spec.status, code).toBeGreaterThanOrEqual(400);
      expect(spec.status, code).toBeLessThan(600);
      const envelope = new ApiError(code as ErrorCode, 'm').toEnvelope();
      expect(errorEnvelopeSchema.parse(envelope)).toEqual(envelope);
    }
  });

  it('keeps authentication failures distinct from permission and quota failures', () => {
    expect(new ApiError('invalid_api_key', '').status).toBe(401);
    expect(new ApiError('revoked_api_key', '').status).toBe(403);
    expect(new ApiError('quota_exceeded', '').status).toBe(402);
    expect(new ApiError('synthesis_failed', '').status).toBe(500);
  });

  it('rebuilds an upstream error, and never trusts an unknown upstream code', () => {
    const passed = ApiError.fromEnvelope(new ApiError('overloaded', 'Queue full.').toEnvelope(), 4);
    expect(passed.code).toBe('overloaded');
    expect(passed.retryAfterSeconds).toBe(4);
    const unknown = ApiError.fromEnvelope({ error: { type: 'server_error', code: 'gpu_on_fire', message: 'CUDA at 0x7f3a, /srv/models', param: null } });
    expect(unknown.code).toBe('internal_error');
    expect(unknown.status).toBe(500);
    expect(unknown.message).not.toMatch(/gpu_on_fire|CUDA|\/srv/);
  });
});

describe('renamed params', () => {
  it('names the route\'s own field, in the param and the message, and keeps everything else', () => {
    const original = new ApiError('overloaded', 'Try `text` again.', { param: 'text', retryAfterSeconds: 2 });
    const renamed = original.withParamRenamed({ text: 'input' });
    expect(renamed.toEnvelope().error).toMatchObject({ code: 'overloaded', param: 'input', message: 'Try `input` again.' });
    expect(renamed.retryAfterSeconds).toBe(2);
    expect(original.withParamRenamed({ voice: 'id' })).toBe(original);
    expect(new ApiError('invalid_field', 'x').withParamRenamed({ text: 'input' }).param).toBeNull();
  });

  it('does not take a field name for one of Object\'s own properties', () => {
    const error = new ApiError('unknown_field', 'Unknown field `constructor`.', { param: 'constructor' });
    expect(error.withParamRenamed({ text: 'input' })).toBe(error);
  });
});

describe('JSON bodies', () => {
  it('parses JSON and reports malformed or empty bodies as invalid_json', () => {
    expect(parseJsonBody('{"a":1}')).toEqual({ a: 1 });
    for (const body of ['', '   ', '{"a":', 'hello']) {
      expect(() => parseJsonBody(body)).toThrow(expect.objectContaining({ code: 'invalid_json', status: 400 }));
    }
  });
});
