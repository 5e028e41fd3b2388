/**
 * Turns a synthesis job into its HTTP answer: the engine's float PCM through the encoder the job asks for, with the
 * `SYNTHESIS_HEADERS`.
 *
 * - Not streamed: the whole file, with `Content-Length` and `x-gsv-audio-seconds`, or an error envelope.
 * - Streamed: headers once the first encoded bytes exist (a failure before them is still an envelope), then bytes as
 *   the codec makes them, pulled by the client (backpressure). A failure after the first byte errors the stream, so
 *   the client sees a broken download, never a short file that looks complete. A client that leaves cancels the
 *   engine request.
 * @module
 */
import { ApiError, countCharacters, SYNTHESIS_HEADERS, type SynthesisJob } from '@gsv-edge/shared';
import { concatBytes, createEncoder, UnsupportedEncodingError, type AudioEncoder } from '../audio/encode/index.ts';
import type { AudioStream, SynthesisSummary } from '../engine/index.ts';

export interface SynthesisOutcome {
  readonly response: Response;
  /** Settles when the answer has ended: with the summary, or with why it failed or was cancelled. */
  readonly finished: Promise<SynthesisSummary>;
}

/** The answer's headers, also naming the model bundle that spoke (`x-gsv-model`). */
function headersFor(job: SynthesisJob, stream: AudioStream, encoder: AudioEncoder): Record<string, string> {
  return {
    'content-type': encoder.contentType,
    [SYNTHESIS_HEADERS.requestId]: job.request_id,
    [SYNTHESIS_HEADERS.seed]: String(job.seed),
    [SYNTHESIS_HEADERS.sampleRate]: String(encoder.outputSampleRate),
    [SYNTHESIS_HEADERS.characters]: String(countCharacters(job.params.text)),
    [SYNTHESIS_HEADERS.model]: stream.model,
    ...(job.synthesis_key === null ? {} : { [SYNTHESIS_HEADERS.synthesisKey]: job.synthesis_key }),
  };
}

/** An encoder for the stream, or `invalid_field` naming the format (refused before any audio is sent). */
export async function encoderFor(job: SynthesisJob, stream: AudioStream): Promise<AudioEncoder> {
  try {
    // The seed as the Ogg serial: the same synthesis key gives the same bytes, as the phrase cache assumes.
    return await createEncoder(job.params.format, stream.sampleRate, { oggSerialNumber: job.seed });
  } catch (error) {
    if (error instanceof UnsupportedEncodingError) {
      throw new ApiError('invalid_field', `\`format\` ${job.params.format} cannot carry this voice's audio: ${error.message}.`, { param: 'params.format', cause: error });
    }
    throw error;
  }
}

export async function answerWhole(job: SynthesisJob, stream: AudioStream, encoder: AudioEncoder): Promise<SynthesisOutcome> {
  const parts: Uint8Array[] = [];
  try {
    for await (const samples of stream) parts.push(encoder.push(samples));
    parts.push(encoder.end());
  } finally {
    encoder.close();
  }
  const summary = await stream.done;
  let body = concatBytes(parts);
  const header = encoder.finalHeader();
  if (header !== undefined) {
    body = body.slice();
    body.set(header, 0);
  }
  const headers = {
    ...headersFor(job, stream, encoder),
    'content-length': String(body.byteLength),
    [SYNTHESIS_HEADERS.audioSeconds]: String(summary.audioSeconds),
    ...(summary.runawaySegments > 0 ? { [SYNTHESIS_HEADERS.runawaySegments]: String(summary.runawaySegments) } : {}),
  };
  return { response: new Response(body, { status: 200, headers }), finished: Promise.resolve(summary) };
}

export async function answerStreamed(job: SynthesisJob, stream: AudioStream, encoder: AudioEncoder, cancel: () => void): Promise<SynthesisOutcome> {
  const chunks = stream[Symbol.asyncIterator]();
  let ended = false;
  /** The next encoded bytes, reading as many PCM chunks as the codec needs; `null` after the last. */
  const next = async (): Promise<Uint8Array | null> => {
    while (!ended) {
      const chunk = await chunks.next();
      if (chunk.done === true) {
        ended = true;
        return encoder.end();
      }
      const bytes = encoder.push(chunk.value);
      if (bytes.byteLength > 0) return bytes;
    }
    return null;
  };
  let first: Uint8Array | null;
  try {
    first = await next();
  } catch (error) {
    encoder.close();
    throw error;
  }
  const finished = stream.done;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (first !== null) {
          controller.enqueue(first);
          first = null;
          return;
        }
        try {
          const bytes = await next();
          if (bytes === null) {
            controller.close();
            return;
          }
          if (bytes.byteLength > 0) controller.enqueue(bytes);
          if (ended) controller.close();
        } catch (error) {
          encoder.close();
          controller.error(error);
        }
      },
      cancel() {
        encoder.close();
        cancel();
      },
    },
    { highWaterMark: 0 },
  );
  return { response: new Response(body, { status: 200, headers: headersFor(job, stream, encoder) }), finished };
}
