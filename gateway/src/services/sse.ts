/**
 * OpenAI's `stream_format: "sse"` for speech: the audio as base64 `speech.audio.delta` events, then one
 * `speech.audio.done`. A failure after the first event is sent as an `error` event carrying the error envelope,
 * so an SSE client sees why the audio stopped rather than a silent end.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';

const encoder = new TextEncoder();

function event(data: unknown): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
}

/** `characters` is reported as `input_tokens`: GPT-SoVITS has no token count that would mean anything to a client. */
export function toSpeechEvents(audio: ReadableStream<Uint8Array>, characters: number): ReadableStream<Uint8Array> {
  const reader = audio.getReader();
  let done = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (done) return;
        try {
          const chunk = await reader.read();
          if (chunk.done) {
            controller.enqueue(
              event({ type: 'speech.audio.done', usage: { input_tokens: characters, output_tokens: 0, total_tokens: characters } }),
            );
            done = true;
            controller.close();
            return;
          }
          controller.enqueue(event({ type: 'speech.audio.delta', audio: base64(chunk.value) }));
        } catch (error) {
          const apiError = error instanceof ApiError ? error : new ApiError('synthesis_failed', 'The audio stream failed.');
          controller.enqueue(event({ type: 'error', ...apiError.toEnvelope() }));
          done = true;
          controller.close();
        }
      },
      async cancel(reason) {
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** btoa takes a binary string; building it in slices keeps `String.fromCharCode` within argument limits. */
export function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  }
  return btoa(binary);
}
