#!/usr/bin/env node
// The `gatehouse` command. npm puts the pinned Node 24 (the `node` devDependency) first on PATH
// for npm scripts and npx, so this file runs on it and can load TypeScript sources directly.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `gatehouse needs Node >= 24 (this is ${process.version}); run it through npm or npx so the pinned runtime is used`,
  );
  process.exit(2);
}
// V8's compiled code (and the stripped TypeScript) kept on disk between runs: the second start
// skips most of the compiling. The environment variable hands the same cache to child processes
// (dev's emulator). NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const { enableCompileCache } = await import('node:module');
const cache = enableCompileCache?.();
if (cache?.directory && !process.env.NODE_COMPILE_CACHE) process.env.NODE_COMPILE_CACHE = cache.directory;
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// Commands that finish exit once their output is flushed: the embedded database's WebAssembly
// runtime can leave an internal timer armed after it closes, which would hold the process open.
process.stdout.write('', () => process.exit(code));
