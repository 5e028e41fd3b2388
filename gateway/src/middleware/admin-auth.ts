/**
 * Guards /admin with the ADMIN_SECRET bearer token (Hono's bearer-auth, which compares in constant time).
 * No token is `missing_api_key` (401); a wrong token, a customer key, or an unset ADMIN_SECRET is
 * `admin_required` (403).
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import type { MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { timingSafeEqual } from 'hono/utils/buffer';
import type { AppEnv } from '../env.ts';

export function requireAdmin(): MiddlewareHandler<AppEnv> {
  const refuse = (): never => {
    throw new ApiError('admin_required', 'The admin API needs `Authorization: Bearer <ADMIN_SECRET>`.');
  };
  return bearerAuth<AppEnv>({
    noAuthenticationHeader: {
      message: () => {
        throw new ApiError('missing_api_key', 'The admin API needs `Authorization: Bearer <ADMIN_SECRET>`.');
      },
    },
    invalidAuthenticationHeader: { message: refuse },
    verifyToken: async (token, c) => {
      const secret = c.env.ADMIN_SECRET;
      if (secret === undefined || secret === '') {
        throw new ApiError('admin_required', 'The admin API is disabled: ADMIN_SECRET is not set.');
      }
      if (!(await timingSafeEqual(secret, token))) refuse();
      c.get('log').admin = true;
      return true;
    },
  });
}
