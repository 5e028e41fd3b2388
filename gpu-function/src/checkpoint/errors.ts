/**
 * Errors raised while reading model files. Every message starts with the file it is about and, where one tensor is at
 * fault, names that tensor, so a user can tell which of their four model inputs is wrong and why.
 * @module
 */

export class CheckpointError extends Error {
  readonly file: string;
  readonly tensor: string | undefined;

  constructor(file: string, message: string, options: { tensor?: string; cause?: unknown } = {}) {
    const where = options.tensor === undefined ? file : `${file}: tensor '${options.tensor}'`;
    super(`${where}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CheckpointError';
    this.file = file;
    this.tensor = options.tensor;
  }
}

/** A well-formed checkpoint of a GPT-SoVITS version (or kind of file) that gsv-edge cannot serve yet. */
export class UnsupportedModelError extends CheckpointError {
  readonly version: string;

  constructor(file: string, version: string, message: string) {
    super(file, message);
    this.name = 'UnsupportedModelError';
    this.version = version;
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
