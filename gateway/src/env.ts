/**
 * The gateway's typed environment. Bindings and vars come from `wrangler types` (worker-configuration.d.ts);
 * secrets are not in wrangler.toml, so they are declared here.
 * @module
 */

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace -- merging into the global namespace wrangler declares
  namespace Cloudflare {
    interface Env {
      /** HMAC key shared with the GPU functions; see shared/src/signing. */
      SIGNING_SECRET?: string;
      /** Bearer token for the /admin API. */
      ADMIN_SECRET?: string;
    }
  }
}

export interface AppEnv {
  Bindings: Cloudflare.Env;
}
