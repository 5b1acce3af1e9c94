// The `gatehouse` command as an operator runs it: configuration errors, `dev` on a data folder
// that survives restarts, and audit verify/export against a real database and offline.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appendAuditEvent } from '../src/audit/audit-log.ts';
import { openStore } from '../src/store/store.ts';
import { inTenant } from '../src/store/tenant.ts';
import { runCli, startCli, waitForExit } from './support/cli.ts';
import { createOrg } from './support/fixtures.ts';

describe('configuration errors', () => {
  it('PORT=abc: exit 2 with one line naming PORT', async () => {
    const r = await runCli(['dev'], { PORT: 'abc', GATEHOUSE_DATA_DIR: join(tmpdir(), 'gh-never-created') });
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /PORT/);
  });

  it('serve refuses to start without GATEHOUSE_SECRET, then without DATABASE_URL', async () => {
    const noSecret = await runCli(['serve'], { GATEHOUSE_SECRET: '', DATABASE_URL: '' });
    assert.equal(noSecret.code, 2);
    assert.match(noSecret.stderr, /GATEHOUSE_SECRET/);
    const noDb = await runCli(['serve'], { GATEHOUSE_SECRET: 'x'.repeat(40), DATABASE_URL: '' });
    assert.equal(noDb.code, 2);
    assert.match(noDb.stderr, /DATABASE_URL.*--embedded/);
  });

  it('an unknown command or option exits 1 with usage', async () => {
    const r = await runCli(['frobnicate']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /unknown command/);
    const bad = await runCli(['audit', 'verify', '--bogus']);
    assert.equal(bad.code, 1);
  });
});

describe('gatehouse dev', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gh-dev-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function runDevOnce(): Promise<void> {
    const { child, match } = await startCli(
      ['dev'],
      { PORT: '0', GATEHOUSE_DATA_DIR: dir, GATEHOUSE_SECRET: '' },
      /listening on (http:\/\/\S+)/,
      120_000,
    );
    try {
      const res = await fetch(`${match[1]}/healthz`);
      assert.equal(res.status, 200);
      assert.equal((await fetch(`${match[1]}/readyz`)).status, 200);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await waitForExit(child), 0, 'dev stops cleanly on SIGTERM');
  }

  it('serves, keeps its data and generated secret across a restart', async () => {
    await runDevOnce();
    const secret = readFileSync(join(dir, 'secret'), 'utf8');
    assert.ok(secret.length >= 32);
    const store = await openStore({ engine: 'pglite', dataDir: join(dir, 'pglite') });
    const org = await createOrg(store.db, 'Persisted');
    await store.close();

    await runDevOnce();
    assert.equal(readFileSync(join(dir, 'secret'), 'utf8'), secret);
    const again = await openStore({ engine: 'pglite', dataDir: join(dir, 'pglite') });
    try {
      const { rows } = await again.owner.query('SELECT name FROM organizations WHERE id = $1', [org]);
      assert.equal(rows[0]?.name, 'Persisted');
    } finally {
      await again.close();
    }
  });
});

describe('gatehouse audit', () => {
  let dir: string;
  let org: string;
  let env: Record<string, string>;
  const secret = { GATEHOUSE_SECRET: 'an-audit-test-secret-of-at-least-32-characters' };
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gh-audit-'));
    env = { GATEHOUSE_DATA_DIR: dir, DATABASE_URL: '', ...secret };
    const store = await openStore({ engine: 'pglite', dataDir: join(dir, 'pglite') });
    org = await createOrg(store.db, 'Audited');
    for (let i = 1; i <= 6; i++) {
      await inTenant(store.db, org, (tx) =>
        appendAuditEvent(tx, {
          organizationId: org,
          type: 'member.added',
          actor: { type: 'user', id: `user_${i}` },
          data: { i },
        }),
      );
    }
    await store.close();
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('verify, export, verify the file offline, and catch one changed byte', async () => {
    const ok = await runCli(['audit', 'verify', '--org', org], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /ok 6 events, root [0-9a-f]{64}/);

    const file = join(dir, 'export.jsonl');
    const exported = await runCli(['audit', 'export', '--org', org, '--out', file], env);
    assert.equal(exported.code, 0, exported.stderr);
    const offline = await runCli(['audit', 'verify', '--file', file], {
      GATEHOUSE_DATA_DIR: join(dir, 'absent'),
      ...secret,
    });
    assert.equal(offline.code, 0, offline.stderr);
    assert.match(offline.stdout, new RegExp(`^${org}: ok 6 events`));

    const text = readFileSync(file, 'utf8');
    const at = text.indexOf('user_4');
    const tampered = `${text.slice(0, at)}user_5${text.slice(at + 6)}`;
    writeFileSync(join(dir, 'tampered.jsonl'), tampered);
    const bad = await runCli(['audit', 'verify', '--file', join(dir, 'tampered.jsonl')], secret);
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /broken: checkpoint mismatch/);
  });

  it('unknown organizations and missing files are one-line errors with exit 1', async () => {
    const cases: [string[], RegExp][] = [
      [
        ['audit', 'verify', '--org', 'org_doesnotexist1'],
        /^gatehouse audit: AUDIT_ORGANIZATION_UNKNOWN: no organization org_doesnotexist1$/,
      ],
      [
        ['audit', 'export', '--org', 'org_doesnotexist1'],
        /^gatehouse audit: AUDIT_ORGANIZATION_UNKNOWN: no organization org_doesnotexist1$/,
      ],
      [
        ['audit', 'verify', '--file', join(dir, 'missing.jsonl')],
        /^gatehouse audit: AUDIT_FILE_UNREADABLE: cannot read .*missing\.jsonl: no such file$/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args, env);
      assert.equal(r.code, 1, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr.trimEnd(), message, args.join(' '));
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, `one line for ${args.join(' ')}`);
    }
  });

  it('a row changed in the database with the trigger disabled: verify names its seq and exits 1', async () => {
    const store = await openStore({ engine: 'pglite', dataDir: join(dir, 'pglite') });
    await store.owner.exec('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
    await store.owner.query(`UPDATE audit_events SET actor_id = 'user_evil' WHERE organization_id = $1 AND seq = 2`, [
      org,
    ]);
    await store.owner.exec('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    await store.close();
    const r = await runCli(['audit', 'verify'], env);
    assert.equal(r.code, 1);
    assert.match(r.stdout, new RegExp(`${org}: broken: seq 2: the columns do not match the entry`));
  });
});
