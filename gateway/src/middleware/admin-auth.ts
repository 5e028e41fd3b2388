/**
 * Guards /admin with the ADMIN_SECRET bearer token (Hono's bearer-auth, which compares in constant time).
 * No token is `missing_api_key` (401); a wrong token, a customer key, or an unset ADMIN_SECRET is
 * `admin_required` (403). An ADMIN_SECRET that no bearer token can carry is reported as such, not as a wrong token.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import type { Context, MiddlewareHandler } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { timingSafeEqual } from 'hono/utils/buffer';
import { adminSecret } from '../config.ts';
import type { AppEnv } from '../env.ts';

export function requireAdmin(): MiddlewareHandler<AppEnv> {
  // A misconfigured secret is named before anything else: otherwise its operator only ever sees "wrong token".
  const refuse = (c: Context): never => {
    const configured = adminSecret(c.env as Cloudflare.Env);
    if (!configured.ok) throw new ApiError('admin_required', `The admin API is disabled: ${configured.reason}.`);
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
      const configured = adminSecret(c.env);
      if (!configured.ok || !(await timingSafeEqual(configured.secret, token))) refuse(c);
      c.get('log').admin = true;
      return true;
    },
  });
}
