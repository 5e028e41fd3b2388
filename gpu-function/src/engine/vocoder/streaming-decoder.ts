/**
 * A token-chunk stream wired to a vocoder runner, for callers that decode one segment's windows as they come (tests,
 * a single-request CLI). The engine loop instead collects `TokenChunkStream` jobs from every streaming segment and
 * decodes them in one `VocoderRunner.decode` call with the other segments.
 * @module
 */
import type { AudioPiece } from '../output/ordered-emitter.ts';
import type { VocoderRunner } from './runner.ts';
import { TokenChunkStream, type StreamJob, type StreamSegment, type TokenStreamOptions } from './token-stream.ts';

export class StreamingSegmentDecoder {
  readonly stream: TokenChunkStream;
  readonly #runner: VocoderRunner;

  constructor(runner: VocoderRunner, segment: StreamSegment, options: TokenStreamOptions) {
    this.#runner = runner;
    this.stream = new TokenChunkStream(segment, options);
  }

  /** Feeds tokens; resolves to the pieces of every chunk they complete. Rejects with the VocoderError of a failed decode. */
  async push(tokens: ArrayLike<number>): Promise<AudioPiece[]> {
    return this.#run(this.stream.push(tokens));
  }

  /** Ends the segment; resolves to its last piece (which carries the fragment_interval silence). */
  async end(): Promise<AudioPiece> {
    const [piece] = await this.#run([this.stream.end()]);
    return piece as AudioPiece;
  }

  async #run(jobs: readonly StreamJob[]): Promise<AudioPiece[]> {
    const withItems = jobs.flatMap((job) => (job.item === undefined ? [] : [job.item]));
    const results = await this.#runner.decode(withItems);
    let next = 0;
    return jobs.map((job) => {
      if (job.item === undefined) return this.stream.receive(job, undefined);
      const result = results[next++];
      if (result?.status !== 'fulfilled') throw result?.reason ?? new Error('vocoder returned no result');
      return this.stream.receive(job, result.value);
    });
  }
}
