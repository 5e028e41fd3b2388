export { AudioDecodeError, decodeAudio, mixToMono, type DecodedAudio } from './decode.ts';
export { floatToPcm16, pcm16Bytes } from './pcm.ts';
export { resampleHighQuality } from './resample-hq.ts';
export { resampleSinc } from './resample-sinc.ts';
export { encodeWav, STREAMING_DATA_SIZE, wavHeader } from './wav.ts';
