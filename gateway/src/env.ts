/**
 * The gateway's typed environment. Bindings and vars come from `wrangler types` (worker-configuration.d.ts);
 * secrets and optional vars are not in wrangler.toml, so they are declared here.
 * @module
 */
import type { RequestIdVariables } from 'hono/request-id';
import type { LogFields } from './log.ts';
import type { ApiKeyRecord } from './services/key-store.ts';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- merging into the global namespace wrangler declares
  namespace Cloudflare {
    interface Env {
      /** HMAC key shared with the GPU functions; see shared/src/signing. */
      SIGNING_SECRET?: string;
      /** Bearer token for the /admin API. */
      ADMIN_SECRET?: string;
      /** Enables `POST /admin/usage/stripe-sync`. */
      STRIPE_SECRET_KEY?: string;
      /** Optional var (not in wrangler.toml's defaults): the origin GPU functions' signed calls name; see config.ts. */
      GATEWAY_URL?: string;
    }
  }
}

export interface AppVariables extends RequestIdVariables {
  /** The authenticated caller, set by `requireApiKey`. */
  apiKey: ApiKeyRecord;
  /** Set once the request has taken its token from the key's bucket. */
  admitted: boolean;
  log: LogFields;
}

export interface AppEnv {
  Bindings: Cloudflare.Env;
  Variables: AppVariables;
}
