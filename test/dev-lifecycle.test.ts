// `npm start` as a newcomer and a process manager meet it: started through npm (npm -> sh -> dev
// -> emulator), `npx gatehouse doctor` beside it passes using what dev generated in the data folder,
// the start banner names the home page, the dev mailbox and the app's permissions read from
// GATEHOUSE_APP_PERMISSIONS_FILE (passed through like every variable), and a SIGTERM or SIGINT to the npm
// process stops the server and the emulator (polled, no fixed sleep).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from './support/cli.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const QUIET = {
  GATEHOUSE_SECRET: '',
  WORKOS_API_KEY: '',
  WORKOS_CLIENT_ID: '',
  WORKOS_WEBHOOK_SECRET: '',
  DATABASE_URL: '',
  PUBLIC_URL: '',
  WORKOS_API_HOSTNAME: '',
  WORKOS_API_PORT: '',
  GATEHOUSE_SUPERADMIN_ORG: '',
  GATEHOUSE_APP_PERMISSIONS_FILE: '',
};

function npmStart(
  dataDir: string,
  env: Record<string, string> = {},
): Promise<{ npm: ChildProcess; out: () => string }> {
  const npm = spawn('npm', ['start'], {
    cwd: REPO,
    env: { ...process.env, ...QUIET, PORT: '0', GATEHOUSE_DATA_DIR: dataDir, ...env },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start was not ready in 180 s:\n${out}`)), 180_000);
    const onData = (d: Buffer) => {
      out += d;
      if (/Stop with Ctrl\+C/.test(out)) {
        clearTimeout(timer);
        resolve({ npm, out: () => out });
      }
    };
    npm.stdout!.on('data', onData);
    npm.stderr!.on('data', (d) => (out += d));
    npm.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${out}`));
    });
  });
}

const answers = (url: string) =>
  fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );

async function until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('npm start, beside it doctor, and stopping it', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`${signal} to the npm process stops the server and the emulator`, { timeout: 300_000 }, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'gh-npm-start-'));
      try {
        const permissions = join(dir, 'permissions.yaml');
        writeFileSync(permissions, 'permissions:\n  - slug: notes:write\n    description: Create and edit notes\n');
        const { npm, out } = await npmStart(
          dir,
          signal === 'SIGTERM' ? { GATEHOUSE_APP_PERMISSIONS_FILE: permissions } : {},
        );
        const url = /listening on (http:\/\/\S+)/.exec(out())![1]!;
        const emulatorUrl = /emulator at (http:\/\/\S+)/.exec(out())![1]!;
        assert.match(
          out(),
          new RegExp(`mail: +${url.replace(/[.]/g, '\\.')}/dev/mailbox`),
          'the banner names the dev mailbox',
        );
        assert.match(
          out(),
          new RegExp(`Open ${url.replace(/[.]/g, '\\.')}/ and sign in`),
          'the banner names the home page',
        );
        if (signal === 'SIGTERM') assert.match(out(), /app perms: +notes:write \(from .*permissions\.yaml\)/);
        else assert.doesNotMatch(out(), /app perms:/);
        assert.ok(await answers(`${url}/healthz`), 'the server answers');
        assert.ok(await answers(`${emulatorUrl}/_emulator/state`), 'the emulator answers');

        if (signal === 'SIGTERM') {
          // doctor beside dev: no secret or WorkOS setting in its environment, yet no FAIL.
          const doctor = await runCli(['doctor'], { ...QUIET, GATEHOUSE_DATA_DIR: dir });
          assert.equal(doctor.code, 0, doctor.stdout + doctor.stderr);
          assert.match(doctor.stdout, /gatehouse dev: using the generated GATEHOUSE_SECRET and the emulator at/);
          assert.doesNotMatch(doctor.stdout, /FAIL/);
          assert.match(doctor.stdout, /database reachable: embedded PGlite .*open in `gatehouse dev`/);
        }

        process.kill(npm.pid!, signal);
        await until('the Gatehouse server stops', 30_000, async () => !(await answers(`${url}/healthz`)));
        await until('the emulator stops', 30_000, async () => !(await answers(`${emulatorUrl}/_emulator/state`)));
        await until('dev forgets its running state', 10_000, async () => !existsSync(join(dir, 'dev.json')));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
