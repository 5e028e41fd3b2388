/**
 * The first two bytes of a GPT-SoVITS file. `process_ckpt.my_save2` overwrites the zip's `PK` with a version tag;
 * `load_sovits_new` restores `PK` before `torch.load`. `head2version` in process_ckpt.py is mirrored here.
 * @module
 */
import { open } from 'node:fs/promises';
import { CheckpointError, errorMessage } from './errors.ts';

export type HeaderTag = 'PK' | '00' | '01' | '02' | '03' | '04' | '05' | '06';

/** GPT-SoVITS's header tags and the model version each stands for. */
export const HEADER_VERSIONS: ReadonlyMap<HeaderTag, string> = new Map<HeaderTag, string>([
  ['00', 'v1'],
  ['01', 'v2'],
  ['02', 'v3'],
  ['03', 'v3 LoRA'],
  ['04', 'v4 LoRA'],
  ['05', 'v2Pro'],
  ['06', 'v2ProPlus'],
]);

const PICKLE_PROTO = 0x80;

/** Reads and classifies the first two bytes; anything that is neither `PK` nor a known tag fails naming the file. */
export async function readHeaderTag(file: string): Promise<HeaderTag> {
  const bytes = new Uint8Array(2);
  let read: number;
  try {
    const handle = await open(file, 'r');
    try {
      ({ bytesRead: read } = await handle.read(bytes, 0, 2, 0));
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new CheckpointError(file, `cannot open: ${errorMessage(error)}`, { cause: error });
  }
  if (read < 2) throw new CheckpointError(file, `is ${read} bytes long; not a PyTorch checkpoint (empty or truncated)`);
  const text = String.fromCharCode(bytes[0] ?? 0, bytes[1] ?? 0);
  if (text === 'PK' || HEADER_VERSIONS.has(text as HeaderTag)) return text as HeaderTag;
  if (/^\d\d$/.test(text)) {
    throw new CheckpointError(file, `unknown GPT-SoVITS version header '${text}' (known: PK, ${[...HEADER_VERSIONS.keys()].join(', ')})`);
  }
  if (bytes[0] === PICKLE_PROTO) {
    throw new CheckpointError(file, 'is in the legacy (PyTorch < 1.6) non-zip format, which is not supported; re-save it with torch.save from PyTorch >= 1.6');
  }
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new CheckpointError(file, `is not a PyTorch zip checkpoint (starts with bytes ${hex}, expected 'PK' or a GPT-SoVITS version tag)`);
}
