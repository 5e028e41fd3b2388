#!/usr/bin/env node
// Entry for `npx gsv-edge`. Node >= 22.18 runs the TypeScript sources directly (type stripping); npx puts the
// project's Node 22 first on PATH.
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
