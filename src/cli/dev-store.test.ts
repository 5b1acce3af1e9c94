import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openStore } from '../store/store.ts';
import { preparePgliteFolder } from './dev-store.ts';

describe("dev's embedded database folder", () => {
  const root = mkdtempSync(join(tmpdir(), 'gh-dev-store-'));
  const templates = join(root, 'templates');
  after(() => rmSync(root, { recursive: true, force: true }));

  const rlsKey = async (dataDir: string) => {
    const store = await openStore({ engine: 'pglite', dataDir });
    try {
      return (await store.owner.query('SELECT key FROM gatehouse_rls_keys')).rows.map((r) => r.key);
    } finally {
      await store.close();
    }
  };

  it('the first fresh folder runs initdb and keeps a template; later ones copy it and migrate on their own', {
    timeout: 240_000,
  }, async () => {
    assert.equal(await preparePgliteFolder(join(root, 'a'), templates), 'initdb');
    const [version] = readdirSync(templates);
    assert.ok(version && existsSync(join(templates, version, 'PG_VERSION')), 'a pristine cluster is kept');
    assert.equal(await preparePgliteFolder(join(root, 'b'), templates), 'template');
    assert.equal(await preparePgliteFolder(join(root, 'b'), templates), 'existing');

    const [a, b] = [await rlsKey(join(root, 'a')), await rlsKey(join(root, 'b'))];
    assert.equal(a.length, 1);
    assert.equal(b.length, 1);
    assert.notEqual(a[0], b[0], 'each folder has a row-level-security key of its own');
    // The template stays pristine after the folders made from it were migrated.
    const again = await openStore({ engine: 'pglite', dataDir: join(templates, version) }, { migrate: false });
    try {
      const { rows } = await again.owner.query(`SELECT to_regclass('schema_migrations') IS NULL AS pristine`);
      assert.equal(rows[0]?.pristine, true);
    } finally {
      await again.close();
    }
  });
});
