/**
 * Preloaded (`node --import`, through NODE_OPTIONS so every scenario child inherits it) by pack.sh while it runs the
 * device bench once: appends every module file that Node resolves (ESM imports and CommonJS requires alike) to the
 * file named by GSV_TRACE_FILE. pack.sh turns the list into the npm packages the bench needs, so the pack carries
 * those and not the whole node_modules tree (the device machine takes 64 MiB beyond tracked files).
 * @module
 */
import { appendFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const file = process.env['GSV_TRACE_FILE'];
if (file !== undefined && file !== '') {
  const seen = new Set<string>();
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      // Only files under node_modules matter (the repository's own files travel anyway); each once per process.
      if (resolved.url.includes('/node_modules/') && !seen.has(resolved.url)) {
        seen.add(resolved.url);
        appendFileSync(file, `${resolved.url}\n`);
      }
      return resolved;
    },
  });
}
