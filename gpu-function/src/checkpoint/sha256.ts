/**
 * Streamed SHA-256 of a model file, for the bundle manifest (never reads the file into memory whole).
 * @module
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { CheckpointError, errorMessage } from './errors.ts';

/** Lower-case hex SHA-256 of the file's bytes. */
export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  } catch (error) {
    throw new CheckpointError(file, `cannot read for hashing: ${errorMessage(error)}`, { cause: error });
  }
  return hash.digest('hex');
}
