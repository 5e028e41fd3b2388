/**
 * Before each test file, as a deployment would have it: gateway/migrations applied to the test D1 database (as
 * `wrangler d1 migrations apply` does), and the voices the tests speak with (`tone`, `tone-b`, `tone-mutable`, on the
 * fake origins' model `tiny`) created in the gateway's voice store.
 */
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { sha256Hex, voiceVersion } from '@gsv-edge/shared';
import { VoiceStore } from '../src/services/voice-store.ts';
import type { TestBindings } from './helpers.ts';

await applyD1Migrations(env.DB, (env as TestBindings).TEST_MIGRATIONS);

const store = new VoiceStore(env);
const recording = await store.putRecording(new TextEncoder().encode('RIFF a test recording'));
const modelSha256 = await sha256Hex('tiny');
for (const id of ['tone', 'tone-b', 'tone-mutable']) {
  const promptText = `This is ${id}.`;
  await store.insert({
    object: 'voice',
    id,
    model: 'tiny',
    model_sha256: modelSha256,
    version: await voiceVersion({ model_sha256: modelSha256, recordings: [recording], prompt_text: promptText, prompt_lang: 'en' }),
    prompt_text: promptText,
    prompt_lang: 'en',
    reference: { sha256: recording, duration_s: 5, sample_rate: 32_000, channels: 1 },
    aux_references: [],
    sample_rate: 32_000,
    description: '',
    created_at: '2026-01-01T00:00:00.000Z',
  });
}
