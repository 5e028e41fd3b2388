/**
 * Authenticates the caller's API key with Hono's bearer-auth, answering each failure with its own code: no key
 * (`missing_api_key`, 401), not a well-formed key or a wrong checksum (`malformed_api_key`, 401, no lookup made),
 * no such key (`invalid_api_key`, 401), a revoked key (`revoked_api_key`, 403).
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
      const keys = new KeyStore(c.env, gatewayConfig(c.env).keyCacheTtlSeconds);
      const record = await keys.findByHash(await hashKey(token));
      if (record === null) throw new ApiError('invalid_api_key', 'This API key does not exist; check that it was copied whole.');
      if (record.revokedAt !== null) throw revokedError();
      c.set('apiKey', record);
      c.get('log').key_id = record.id;
      return true;
    },
  });
}
