#!/usr/bin/env node
// The `gatehouse` command. npm puts the pinned Node 24 (the `node` devDependency) first on PATH
// for npm scripts and npx, so this file runs on it and can load TypeScript sources directly.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(`gatehouse needs Node >= 24 (this is ${process.version}); run it through npm or npx so the pinned runtime is used`);
  process.exit(2);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
