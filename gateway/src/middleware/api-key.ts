/**
 * Authenticates the caller's API key with Hono's bearer-auth, answering each failure with its own code: no key
 * (`missing_api_key`, 401), not a well-formed key or a wrong checksum (`malformed_api_key`, 401, no lookup made),
 * no such key (`invalid_api_key`, 401), a revoked key (`revoked_api_key`, 403), and an address that has sent too
 * many unknown keys (`rate_limit_exceeded`, 429, no lookup made; see services/unknown-keys.ts).
 *
 * bearer-auth's own failure answers are plain 401/400 responses; throwing the {@link ApiError} from its hooks
 * instead sends every failure through the app's one error handler, in the shared envelope.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { gatewayConfig } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { revokedError } from '../services/account.ts';
import { hashKey, parseKey } from '../services/key-format.ts';
import { KeyStore } from '../services/key-store.ts';
import { BLOCK_MS, isBlockedAddress, isKnownUnknown, recordUnknownKey } from '../services/unknown-keys.ts';

const HOW = 'Send it as `Authorization: Bearer sk_live_...`.';

export function requireApiKey(): MiddlewareHandler<AppEnv> {
  return bearerAuth<AppEnv>({
    noAuthenticationHeader: {
      message: () => {
        throw new ApiError('missing_api_key', `This endpoint needs an API key. ${HOW}`);
      },
    },
    invalidAuthenticationHeader: {
      message: () => {
        throw new ApiError('malformed_api_key', `The Authorization header is not a bearer token. ${HOW}`);
      },
    },
    verifyToken: async (token, c) => {
      const parsed = await parseKey(token);
      if (!parsed.ok) throw new ApiError('malformed_api_key', parsed.reason);
      const hash = await hashKey(token);
      const keys = new KeyStore(c.env, gatewayConfig(c.env).keyCacheTtlSeconds);
      let record = keys.remembered(hash);
      if (record === null) {
        const address = clientAddress(c.req.header('cf-connecting-ip'));
        if (isKnownUnknown(hash)) throw unknownKey();
        if (isBlockedAddress(address)) {
          throw new ApiError('rate_limit_exceeded', 'Too many unknown API keys from this address; slow down.', { retryAfterSeconds: BLOCK_MS / 1000 });
        }
        record = await keys.findByHash(hash);
        if (record === null) {
          await recordUnknownKey(c.env.AUTH_FAILURE_LIMITER, hash, address);
          throw unknownKey();
        }
      }
      if (record.revokedAt !== null) throw revokedError();
      c.set('apiKey', record);
      c.get('log').key_id = record.id;
      return true;
    },
  });
}

function unknownKey(): ApiError {
  return new ApiError('invalid_api_key', 'This API key does not exist; check that it was copied whole.');
}

/** Cloudflare sets `CF-Connecting-IP` on every request it forwards; clients cannot set it themselves. */
function clientAddress(header: string | undefined): string {
  return header === undefined || header === '' ? 'unknown' : header;
}
