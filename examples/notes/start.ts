// `npm run example:notes` (or `node examples/notes/start.ts`): the notes app behind Gatehouse, in
// one command. Starts `gatehouse dev` (PGlite, the WorkOS emulator and its demo seed) with the
// app's permissions file, puts Gatehouse and the app behind one origin (front-door.ts), makes the
// app's API key as the demo admin would (app-key.ts), and serves the notes app there.
//
// Environment (all optional):
//   NOTES_PORT             the port of the one origin (default 4100; 0 picks a free one)
//   GATEHOUSE_DATA_DIR     dev's data folder (default .gatehouse/notes-example); the notes and the
//                          app key are kept there too (notes.json, notes-app-key)
//   GATEHOUSE_APP_KEY      an app key to use instead of making one
// Ctrl+C (SIGINT) or SIGTERM stops the app and `gatehouse dev` with it.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGatehouseClient } from '../../packages/client/src/index.ts';
import { devAppKey } from './app-key.ts';
import { createNotesApp } from './app.ts';
import { openFrontDoor } from './front-door.ts';
import { openNotesStore } from './notes-store.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const GATEHOUSE_BIN = fileURLToPath(new URL('../../bin/gatehouse.js', import.meta.url));
const HOST = '127.0.0.1';

/**
 * A free port for dev to bind. Chosen below 32768, where the kernel never puts a port of its own
 * (every listen(0) and outgoing connection draws from above), so nothing takes it before dev binds.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((done) => {
      const probe = createServer();
      probe.once('error', () => done(false));
      probe.listen(port, HOST, () => probe.close(() => done(true)));
    });
    if (free) return port;
  }
}

// This process's Node flags go on to `gatehouse dev` (the same engine settings), except a debugger's,
// whose port the child would take again.
const NODE_FLAGS = process.execArgv.filter((flag) => !flag.startsWith('--inspect'));

/** Starts `gatehouse dev` and resolves once its banner ends; its output is passed through. */
function startDev(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...NODE_FLAGS, GATEHOUSE_BIN, 'dev'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ready, fail) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk);
      if (out.includes('Stop with Ctrl+C')) return;
      out += chunk;
      if (out.includes('Stop with Ctrl+C')) ready(child);
    });
    child.once('exit', (code) => fail(new Error(`gatehouse dev exited with ${code} before it was ready`)));
  });
}

const port = Number(process.env.NOTES_PORT ?? 4100);
const dataDir = resolve(process.env.GATEHOUSE_DATA_DIR || '.gatehouse/notes-example');
mkdirSync(dataDir, { recursive: true });

let current: ReturnType<typeof createNotesApp> | null = null;
// The origin listens first: dev registers PUBLIC_URL/webhooks/workos with the emulator at start.
const gatehousePort = await freePort();
const gatehouseUrl = `http://${HOST}:${gatehousePort}`;
const front = await openFrontDoor({
  app: { fetch: (request) => current?.fetch(request) ?? new Response('The notes app is starting\n', { status: 503 }) },
  gatehouseUrl,
  host: HOST,
  port,
});

let dev: ChildProcess | null = null;
let client: ReturnType<typeof createGatehouseClient> | null = null;
let stopping = false;
async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    client?.close();
    await front.close();
    if (dev && dev.exitCode === null) {
      const exited = new Promise((done) => dev!.once('exit', done));
      dev.kill('SIGTERM');
      await exited;
    }
  }
  process.exit(code);
}
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
// Whoever started us gone (npm or a test runner killed without passing the signal on): stop too,
// rather than leave the app, dev and its emulator running re-parented.
const parent = process.ppid;
setInterval(() => process.ppid !== parent && void stop(0), 250).unref();

try {
  dev = await startDev({
    HOST,
    PORT: String(gatehousePort),
    PUBLIC_URL: front.url,
    GATEHOUSE_DATA_DIR: dataDir,
    GATEHOUSE_APP_PERMISSIONS_FILE: join(HERE, 'permissions.yaml'),
  });
  dev.once('exit', (code) => {
    if (!stopping) {
      console.error(`gatehouse dev stopped (${code}); stopping the notes app`);
      void stop(1);
    }
  });
  const appKey = process.env.GATEHOUSE_APP_KEY || (await devAppKey(front.url, join(dataDir, 'notes-app-key')));
  // Introspection and the revocation stream go straight to Gatehouse, server to server.
  client = createGatehouseClient({ url: gatehouseUrl, credential: appKey });
  await client.ready;
  current = createNotesApp({ client, store: openNotesStore(join(dataDir, 'notes.json')), gatehouseUrl });
} catch (error) {
  console.error(`notes app: ${(error as Error).message}`);
  await stop(1);
}

console.log(`\nNotes app: ${front.url}/notes`);
console.log('  sam@globex.test / both-orgs-sam-demo  admin in Globex (writes notes), member in Acme (reads only)');
console.log('  grace@globex.test / globex-grace-demo admin in Globex; revoke sessions at /admin');
console.log('  notes are kept per organization in', join(dataDir, 'notes.json'));
console.log('Stop with Ctrl+C.');
