/**
 * The error a bundle build stops with when its inputs do not fit together (a model without the files it needs, an
 * option that does not apply to the model given); each message names the file or flag at fault.
 * @module
 */

export class BundleError extends Error {
  override readonly name = 'BundleError';
}
