// The sample notes app started the way its README says (`node examples/notes/start.ts`, which runs
// `gatehouse dev` beside it), on a free port in a throwaway data folder, for the Chromium walk and
// the bench. stop() ends it with SIGTERM (start.ts stops dev, and dev its emulator) and removes
// the folder; a process that does not stop within 20 s is killed.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHILD_NODE_FLAGS, waitForExit } from './cli.ts';

const START = fileURLToPath(new URL('../../examples/notes/start.ts', import.meta.url));
// Settings of the developer's shell that would point dev elsewhere than its own emulator.
const QUIET = {
  GATEHOUSE_SECRET: '',
  WORKOS_API_KEY: '',
  WORKOS_CLIENT_ID: '',
  WORKOS_WEBHOOK_SECRET: '',
  DATABASE_URL: '',
  GATEHOUSE_SUPERADMIN_ORG: '',
  GATEHOUSE_APP_KEY: '',
  LOG_LEVEL: 'warn',
};

export interface NotesApp {
  /** The one origin of the app and Gatehouse (Gatehouse's PUBLIC_URL); the app is at /notes. */
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

export function startNotesApp(timeoutMs = 240_000): Promise<NotesApp> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-notes-'));
  const child = spawn(process.execPath, [...CHILD_NODE_FLAGS, START], {
    env: { ...process.env, ...QUIET, NOTES_PORT: '0', GATEHOUSE_DATA_DIR: dir },
  });
  let out = '';
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const stopped = await Promise.race([
        waitForExit(child),
        new Promise((r) => setTimeout(() => r('timeout'), 20_000)),
      ]);
      if (stopped === 'timeout') child.kill('SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the notes app did not start within ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      const url = /Notes app: (http:\/\/\S+)\/notes\n[\s\S]*Stop with Ctrl\+C/.exec(out)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ url, child, output: () => out, stop });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      reject(new Error(`the notes app exited with ${code} before it was ready:\n${out}`));
    });
  });
}
