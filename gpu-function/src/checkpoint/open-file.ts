import { open, type FileHandle } from 'node:fs/promises';
import { CheckpointError, errorMessage } from './errors.ts';

/** Opens a model file for reading; a missing or unreadable file fails with a message naming it. */
export async function openModelFile(file: string): Promise<FileHandle> {
  try {
    return await open(file, 'r');
  } catch (error) {
    throw new CheckpointError(file, `cannot open: ${errorMessage(error)}`, { cause: error });
  }
}
