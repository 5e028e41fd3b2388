/**
 * The billing rules, in one place (docs/contract.md "Billing" says them for customers):
 *
 * 1. A synthesis (cache miss) is billed in full at the plan's price once its answer has started: when the answer
 *    completes, or at once when the client leaves (however early). A GPU function that fails before or during the
 *    answer bills nothing.
 * 2. A whole cached answer (200) is billed at the cache-hit price each time it is served.
 * 3. Ranged reads of a cached phrase (206) are billed as one playback at the cache-hit price per key, phrase and UTC
 *    day: the first range bills it, later ranges of that phrase that day are covered.
 * 4. A retry — same key, same `Idempotency-Key`, same synthesis key, within {@link REPLAY_WINDOW_MS} of the billed
 *    request, answered whole from the cache — is a replay and is not billed again. While the first request is still
 *    running, the retry is refused (409) rather than run twice. A retry that misses the cache runs on a GPU again
 *    and is billed; random-seed requests have no synthesis key and are never replays.
 *
 * Event ids hash the key id with the gateway's own identity of the delivery (its request id, or the playback
 * session), never with anything a client chooses alone, so two keys can never share an event and no client value
 * can merge two deliveries into one.
 * @module
 */
import { ApiError, sha256Hex } from '@gsv-edge/shared';
import { REPLAY_WINDOW_MS } from '../durable/key-account.ts';

export { REPLAY_WINDOW_MS };

/** Longest `Idempotency-Key` accepted (Stripe's limit). */
const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export async function usageEventId(keyId: string, identity: string): Promise<string> {
  return sha256Hex(`gsv-usage-v2\n${keyId}\n${identity}`);
}

/** Rules 1 and 2: each request the gateway answers is its own delivery. */
export function requestIdentity(gatewayRequestId: string): string {
  return `request\n${gatewayRequestId}`;
}

/** Rule 3: every ranged read of one phrase by one key on one UTC day is one playback. */
export function playbackIdentity(phraseId: string, nowMs: number): string {
  return `playback\n${phraseId}\n${new Date(nowMs).toISOString().slice(0, 10)}`;
}

/** SHA-256 of the client's `Idempotency-Key` (the raw value is never stored), or `null` without one. */
export async function idempotencyKeyHash(header: string | undefined): Promise<string | null> {
  if (header === undefined) return null;
  if (header.length === 0 || header.length > MAX_IDEMPOTENCY_KEY_LENGTH || !/^[\x21-\x7e]+$/.test(header)) {
    throw new ApiError('invalid_field', `\`Idempotency-Key\` must be 1-${String(MAX_IDEMPOTENCY_KEY_LENGTH)} printable ASCII characters.`, {
      param: 'Idempotency-Key',
    });
  }
  return sha256Hex(`idempotency\n${header}`);
}

/** Rule 4's key: the same idempotency key with the same synthesis key. */
export async function replayKey(idempotencyHash: string | null, synthesisKey: string | null): Promise<string | null> {
  if (idempotencyHash === null || synthesisKey === null) return null;
  return sha256Hex(`replay\n${idempotencyHash}\n${synthesisKey}`);
}
