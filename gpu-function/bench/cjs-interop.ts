/**
 * Lets the bench import the engine under plain Node. `src/audio/resample-hq.ts` imports named exports from
 * `@alexanderolsen/libsamplerate-js`, a webpack-built CommonJS package whose exports Node's CommonJS lexer cannot
 * see, so `node` refuses the import (vitest's interop accepts it, which is why the test suite passes). Until the
 * engine imports it through the default export, this hook serves the package as an ES module that re-exports every
 * property of `require()`'s result. Register it before the engine is imported (a dynamic `import()`), since static
 * imports are resolved before any module code runs.
 * @module
 */
import { createRequire, registerHooks } from 'node:module';

/** CommonJS packages the engine imports by name. */
const PACKAGES: readonly string[] = ['@alexanderolsen/libsamplerate-js'];
const SCHEME = 'gsv-bench-cjs:';
const require = createRequire(import.meta.url);
let registered = false;

export function registerCjsNamedExports(): void {
  if (registered) return;
  registered = true;
  // Resolved before the hooks exist: the shim requires the file by path, which the hooks leave alone.
  const files = new Map(PACKAGES.map((name) => [name, require.resolve(name)]));
  registerHooks({
    resolve(specifier, context, nextResolve) {
      if (PACKAGES.includes(specifier)) return { url: `${SCHEME}${specifier}`, shortCircuit: true };
      return nextResolve(specifier, context);
    },
    load(url, context, nextLoad) {
      if (!url.startsWith(SCHEME)) return nextLoad(url, context);
      const file = files.get(url.slice(SCHEME.length)) ?? '';
      const names = Object.keys(require(file) as object).filter((key) => /^[A-Za-z_$][\w$]*$/.test(key) && key !== 'default');
      const source = [
        `import { createRequire } from 'node:module';`,
        `const pkg = createRequire(${JSON.stringify(import.meta.url)})(${JSON.stringify(file)});`,
        'export default pkg;',
        ...names.map((key) => `export const ${key} = pkg[${JSON.stringify(key)}];`),
      ].join('\n');
      return { format: 'module', source, shortCircuit: true };
    },
  });
}
