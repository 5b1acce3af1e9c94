import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { PGlite } from '@electric-sql/pglite';
import { LATEST_MIGRATION } from './migrator.ts';
import { preparePgliteFolder } from './pglite-folder.ts';
import { openStore } from './store.ts';

describe('fresh folders of the embedded database', () => {
  const root = mkdtempSync(join(tmpdir(), 'gh-pglite-folder-'));
  const templates = join(root, 'templates');
  after(() => rmSync(root, { recursive: true, force: true }));

  const opened = async (dataDir: string, migrate = true) => {
    const store = await openStore({ engine: 'pglite', dataDir }, { migrate });
    try {
      const keys = (await store.owner.query('SELECT key FROM gatehouse_rls_keys')).rows.map((r) => String(r.key));
      const version = (await store.owner.query('SELECT max(version) AS v FROM schema_migrations')).rows[0]?.v;
      return { keys, version: Number(version) };
    } finally {
      await store.close();
    }
  };

  it('the first fresh folder builds the templates; later ones copy the migrated one and get their own key', {
    timeout: 240_000,
  }, async () => {
    assert.equal(await preparePgliteFolder(join(root, 'a'), templates), 'migrated');
    const kept = readdirSync(templates).sort();
    assert.equal(kept.length, 2, `a pristine and a migrated template: ${kept.join(', ')}`);
    for (const name of kept) assert.ok(existsSync(join(templates, name, 'PG_VERSION')));
    assert.equal(await preparePgliteFolder(join(root, 'b'), templates), 'migrated');
    assert.equal(await preparePgliteFolder(join(root, 'b'), templates), 'existing');
    // Copies are made under names of their own and renamed into place; none is left behind.
    for (const folder of [root, templates])
      assert.deepEqual(
        readdirSync(folder).filter((name) => name.endsWith('.tmp')),
        [],
        `no half-made copy in ${folder}`,
      );

    const [a, b] = [await opened(join(root, 'a')), await opened(join(root, 'b'))];
    assert.equal(a.keys.length, 1);
    assert.equal(b.keys.length, 1);
    assert.match(a.keys[0]!, /^[0-9a-f]{96}$/);
    assert.notEqual(a.keys[0], b.keys[0], 'each folder has a row-level-security key of its own');
    assert.equal(a.version, LATEST_MIGRATION, 'the copy is migrated');
    // The key is made once: a second open keeps it.
    assert.deepEqual((await opened(join(root, 'a'))).keys, a.keys);

    // The templates keep no key, and the pristine one stays unmigrated.
    const migrated = kept.find((n) => n.includes('-migrated-'))!;
    const pristine = kept.find((n) => !n.includes('-migrated-'))!;
    const template = await PGlite.create({ dataDir: join(templates, migrated) });
    try {
      const { rows } = await template.query<{ n: number }>('SELECT count(*)::int AS n FROM gatehouse_rls_keys');
      assert.equal(rows[0]?.n, 0, 'the migrated template holds no key to share');
    } finally {
      await template.close();
    }
    const bare = await openStore({ engine: 'pglite', dataDir: join(templates, pristine) }, { migrate: false });
    try {
      const { rows } = await bare.owner.query(`SELECT to_regclass('schema_migrations') IS NULL AS pristine`);
      assert.equal(rows[0]?.pristine, true);
    } finally {
      await bare.close();
    }
  });

  it('where the template cache cannot be written, a fresh folder is made and migrated in place', {
    timeout: 240_000,
  }, async () => {
    // A path under a regular file: no process, root included, can create it.
    const blocker = join(root, 'not-a-folder');
    writeFileSync(blocker, '');
    const unwritable = join(blocker, 'templates');
    assert.equal(await preparePgliteFolder(join(root, 'd'), unwritable), 'initdb');
    const d = await opened(join(root, 'd'));
    assert.equal(d.version, LATEST_MIGRATION);
    assert.equal(d.keys.length, 1);
    assert.ok(!existsSync(unwritable));
  });

  it('a folder opened without migrating starts pristine, so pending migrations are listed, not hidden', {
    timeout: 120_000,
  }, async () => {
    assert.equal(await preparePgliteFolder(join(root, 'c'), templates, { migrated: false }), 'template');
    const store = await openStore({ engine: 'pglite', dataDir: join(root, 'c') }, { migrate: false });
    try {
      const { rows } = await store.owner.query(`SELECT to_regclass('schema_migrations') IS NULL AS pristine`);
      assert.equal(rows[0]?.pristine, true);
    } finally {
      await store.close();
    }
  });

  it('closing a store closes its database, whether or not a query ever ran through Kysely', {
    timeout: 120_000,
  }, async () => {
    for (const use of [false, true]) {
      const store = await openStore({ engine: 'pglite', dataDir: join(root, use ? 'used' : 'unused') });
      if (use) await store.db.selectFrom('organizations').select('id').execute();
      await store.close();
      // Left open, the instance keeps its process alive (PostgreSQL's idle-statistics timer).
      assert.equal((store as unknown as { lite: PGlite }).lite.closed, true, use ? 'used' : 'unused');
      await store.close();
    }
  });
});
