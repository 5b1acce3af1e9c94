// Every way the `gatehouse` command commonly fails, as a table: each prints exactly one line that
// names what to fix, no stack trace, and exits with the documented code (1 the work failed,
// 2 invalid configuration, 3 database or port unavailable). `--help` works on every command.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from './support/cli.ts';
import { TEST_DATABASE_URL } from './support/stores.ts';

const SECRET = 'x'.repeat(48);
const REFUSED_DB = 'postgres://gatehouse:not-shown@127.0.0.1:9/gatehouse';

interface Case {
  name: string;
  args: string[];
  env: () => Record<string, string>;
  exitCode: number;
  says: RegExp;
}

function assertOneLine(stderr: string, stdout: string, says: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${stderr}`);
  assert.match(lines[0]!, says);
  assert.doesNotMatch(stderr + stdout, /\n\s+at |Error:|node:internal/, 'no stack trace');
  assert.doesNotMatch(stderr, /not-shown/, 'no password from DATABASE_URL');
}

describe('CLI failures: one line, no stack trace, the documented exit code', () => {
  let dir: string;
  let busy: Server;
  let busyPort = 0;
  // A database the server can open quickly: PostgreSQL when given, else embedded PGlite.
  let db: Record<string, string>;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-cli-fail-'));
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    busyPort = (busy.address() as { port: number }).port;
    db = TEST_DATABASE_URL ? { DATABASE_URL: TEST_DATABASE_URL } : { DATABASE_URL: '', GATEHOUSE_DATA_DIR: dir };
  });
  after(async () => {
    await new Promise((r) => busy.close(r));
    rmSync(dir, { recursive: true, force: true });
  });

  const missingDb = () => {
    const url = new URL(TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:9/x');
    url.pathname = '/gatehouse_no_such_database';
    return url.toString();
  };
  const serveEnv = (extra: Record<string, string>) => ({
    GATEHOUSE_SECRET: SECRET,
    WORKOS_WEBHOOK_SECRET: 'whsec',
    ...db,
    ...extra,
  });
  const embedded = () => (TEST_DATABASE_URL ? [] : ['--embedded']);
  const badPermissions = () => {
    const file = join(dir, 'bad-permissions.yaml');
    writeFileSync(
      file,
      'permissions:\n  - slug: notes:read\n    description: Read\n  - slug: Notes\n    description: x\n',
    );
    return file;
  };

  const cases: Case[] = [
    {
      name: 'migrate, database unreachable',
      args: ['migrate'],
      env: () => ({ DATABASE_URL: REFUSED_DB }),
      exitCode: 3,
      says: /cannot reach PostgreSQL at 127\.0\.0\.1:9 .*connection refused.*DATABASE_URL/,
    },
    {
      name: 'serve, database unreachable',
      args: ['serve'],
      env: () => serveEnv({ DATABASE_URL: REFUSED_DB }),
      exitCode: 3,
      says: /cannot reach PostgreSQL/,
    },
    {
      name: 'dev, database unreachable',
      args: ['dev'],
      env: () => ({ DATABASE_URL: REFUSED_DB, GATEHOUSE_DATA_DIR: join(dir, 'dev'), PORT: '0' }),
      exitCode: 3,
      says: /gatehouse dev: cannot reach PostgreSQL/,
    },
    ...(TEST_DATABASE_URL
      ? [
          {
            name: 'migrate, database does not exist',
            args: ['migrate'],
            env: () => ({ DATABASE_URL: missingDb() }),
            exitCode: 3,
            says: /gatehouse_no_such_database\) does not exist; create it/,
          },
          {
            name: 'serve, database does not exist',
            args: ['serve'],
            env: () => serveEnv({ DATABASE_URL: missingDb() }),
            exitCode: 3,
            says: /does not exist/,
          },
        ]
      : []),
    {
      name: 'serve, port in use',
      args: ['serve', ...embedded()],
      env: () => serveEnv({ PORT: String(busyPort), HOST: '127.0.0.1' }),
      exitCode: 3,
      says: /port \d+ on 127\.0\.0\.1 is already in use: stop what is using it, or set PORT/,
    },
    {
      name: 'HOST=999.1.1.1',
      args: ['serve'],
      env: () => serveEnv({ HOST: '999.1.1.1' }),
      exitCode: 2,
      says: /invalid configuration: HOST: expected a host name or IP address/,
    },
    {
      name: 'HOST not on this machine',
      args: ['serve', ...embedded()],
      env: () => serveEnv({ HOST: '192.0.2.55', PORT: '0' }),
      exitCode: 2,
      says: /HOST=192\.0\.2\.55 is not an address of this machine/,
    },
    {
      name: 'dev, a bad GATEHOUSE_APP_PERMISSIONS_FILE (before anything starts)',
      args: ['dev'],
      env: () => ({
        GATEHOUSE_APP_PERMISSIONS_FILE: badPermissions(),
        GATEHOUSE_DATA_DIR: join(dir, 'dev'),
        PORT: '0',
      }),
      exitCode: 2,
      says: /invalid configuration: GATEHOUSE_APP_PERMISSIONS_FILE: .*permissions\[1\]: slug "Notes" must match/,
    },
    {
      name: 'serve, a missing GATEHOUSE_APP_PERMISSIONS_FILE',
      args: ['serve'],
      env: () => serveEnv({ GATEHOUSE_APP_PERMISSIONS_FILE: join(dir, 'absent.yaml') }),
      exitCode: 2,
      says: /invalid configuration: GATEHOUSE_APP_PERMISSIONS_FILE: .*absent\.yaml: cannot read the file \(ENOENT\)$/,
    },
    {
      name: 'PORT=abc',
      args: ['migrate'],
      env: () => ({ PORT: 'abc' }),
      exitCode: 2,
      says: /invalid configuration: PORT/,
    },
    {
      name: 'audit verify --file of a missing file',
      args: ['audit', 'verify', '--file', '/nonexistent/export.jsonl'],
      env: () => ({}),
      exitCode: 1,
      says: /AUDIT_FILE_UNREADABLE: cannot read \/nonexistent\/export\.jsonl: no such file/,
    },
    {
      name: 'an unknown option',
      args: ['doctor', '--frobnicate'],
      env: () => ({}),
      exitCode: 1,
      says: /gatehouse doctor: Unknown option '--frobnicate'.*--help/,
    },
  ];

  for (const c of cases) {
    it(c.name, { timeout: 180_000 }, async () => {
      const r = await runCli(c.args, c.env());
      assert.equal(r.code, c.exitCode, `exit code of ${c.args.join(' ')}: ${r.stderr}`);
      assertOneLine(r.stderr, r.stdout, c.says);
    });
  }

  for (const command of [
    'dev',
    'serve',
    'doctor',
    'migrate',
    'audit',
    'provision-eval-tenant',
    'reconcile',
    'emulator',
  ]) {
    it(`${command} --help prints its usage and exits 0`, async () => {
      const r = await runCli([command, '--help'], { DATABASE_URL: REFUSED_DB });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^usage: gatehouse ${command}`));
      assert.match(r.stdout, /Exit codes: 0 success, 1 failure, 2 invalid configuration, 3 /);
      assert.equal(r.stderr, '');
    });
  }
});
