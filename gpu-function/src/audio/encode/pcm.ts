/**
 * `pcm`: raw signed 16-bit little-endian mono, no header, as OpenAI's `response_format: "pcm"` returns it. No codec
 * package: the conversion is the project's own `floatToPcm16` (../pcm.ts).
 * @module
 */
import { floatToPcm16, pcm16Bytes } from '../pcm.ts';
import { BaseEncoder } from './encoder.ts';

export class PcmEncoder extends BaseEncoder {
  readonly format = 'pcm';
  readonly contentType = 'audio/pcm';
  readonly outputSampleRate: number;

  constructor(sampleRate: number) {
    super();
    this.outputSampleRate = sampleRate;
  }

  protected encode(samples: Float32Array): Uint8Array {
    return pcm16Bytes(floatToPcm16(samples));
  }

  protected flush(): Uint8Array {
    return new Uint8Array(0);
  }
}
