/**
 * One v3/v4 segment for the CFM stage (after T2S), and what the stage hands back for it.
 * @module
 */
import type { CfmPrompt } from '../voices/features.ts';

export interface CfmItem {
  readonly requestId: string;
  readonly segmentIndex: number;
  /** The segment's semantic tokens and target phones. */
  readonly tokens: Int32Array;
  readonly phoneIds: Int32Array;
  /** The voice's `ge` (main reference) and CFM prompt. */
  readonly ge: Float32Array;
  readonly prompt: CfmPrompt;
  readonly speed: number;
  /** Seeds the CFM's starting noise, with the segment index and chunk. */
  readonly seed: number;
  /** Euler steps per chunk (GPT-SoVITS `sample_steps`). */
  readonly steps: number;
}

export type CfmOutcome =
  | { readonly requestId: string; readonly segmentIndex: number; readonly status: 'done'; readonly audio: Float32Array }
  | { readonly requestId: string; readonly segmentIndex: number; readonly status: 'failed'; readonly stage: string; readonly error: Error };
