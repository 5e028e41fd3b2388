/**
 * The gateway worker's entry: the Hono app, and the Durable Object classes wrangler.toml binds.
 * @module
 */
import { createApp } from './app.ts';

export { KeyAccount } from './durable/key-account.ts';
export { UsageOutbox } from './durable/usage-outbox.ts';

export default createApp();
