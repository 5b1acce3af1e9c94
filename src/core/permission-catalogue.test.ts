import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { describeFailure } from '../cli/failure.ts';
import { ConfigError, parseConfig } from '../config.ts';
import { createPermissionCatalogue, parseAppPermissions } from './permission-catalogue.ts';
import { ALL_PERMISSIONS } from './permissions.ts';

const NOTES = {
  permissions: [
    { slug: 'notes:read', description: 'Read notes', roles: ['member'] },
    { slug: 'notes:write', description: 'Create and edit notes' },
  ],
};

describe('createPermissionCatalogue', () => {
  const catalogue = createPermissionCatalogue(parseAppPermissions(NOTES));

  it("lists Gatehouse's permissions first, then the app's, each with its source", () => {
    assert.deepEqual(catalogue.all, [...ALL_PERMISSIONS, 'notes:read', 'notes:write']);
    assert.equal(catalogue.sourceOf('members:read'), 'gatehouse');
    assert.equal(catalogue.sourceOf('notes:write'), 'app');
    assert.equal(catalogue.sourceOf('notes:delete'), undefined);
    assert.equal(catalogue.has('notes:delete'), false);
  });

  it('gives built-in roles their defaults: admin every app permission, member the ones naming it', () => {
    assert.deepEqual(catalogue.grantedBy({ slug: 'admin', builtIn: true }, ALL_PERMISSIONS), [
      ...ALL_PERMISSIONS,
      'notes:read',
      'notes:write',
    ]);
    assert.deepEqual(catalogue.grantedBy({ slug: 'member', builtIn: true }, ['organization:read', 'members:read']), [
      'organization:read',
      'members:read',
      'notes:read',
    ]);
  });

  it('grants a custom role only what it stores and the catalogue knows (a removed slug grants nothing)', () => {
    const stored = ['notes:write', 'notes:archive', 'members:read', 'members:read'];
    assert.deepEqual(catalogue.grantedBy({ slug: 'admin', builtIn: false }, stored), ['notes:write', 'members:read']);
    const gatehouseOnly = createPermissionCatalogue();
    assert.deepEqual(gatehouseOnly.grantedBy({ slug: 'writer', builtIn: false }, stored), ['members:read']);
    assert.deepEqual(gatehouseOnly.all, ALL_PERMISSIONS);
  });

  it('is frozen: nobody adds a permission after start', () => {
    assert.throws(() => (catalogue.all as string[]).push('x:y'));
    assert.ok(Object.isFrozen(catalogue));
  });
});

describe('parseAppPermissions', () => {
  const bad: [string, unknown, RegExp][] = [
    ['no list', { perms: [] }, /^file: expected a top-level `permissions:` list$/],
    ['a list at the top', [{ slug: 'a:b' }], /top-level `permissions:` list/],
    ['an extra top-level key', { permissions: [], roles: [] }, /unexpected top-level key "roles"/],
    ['an entry that is a string', { permissions: ['notes:read'] }, /^permissions\[0\]: expected an object/],
    ['no colon', { permissions: [{ slug: 'notes', description: 'x' }] }, /^permissions\[0\]: slug "notes" must match/],
    ['upper case', { permissions: [{ slug: 'Notes:write', description: 'x' }] }, /slug "Notes:write" must match/],
    ['two colons', { permissions: [{ slug: 'a:b:c', description: 'x' }] }, /slug "a:b:c" must match/],
    ['a number slug', { permissions: [{ slug: 7, description: 'x' }] }, /slug 7 must match/],
    ['a Gatehouse slug', { permissions: [{ slug: 'audit:read', description: 'x' }] }, /one of Gatehouse's own/],
    [
      'a duplicate',
      {
        permissions: [
          { slug: 'a:b', description: 'x' },
          { slug: 'a:b', description: 'y' },
        ],
      },
      /^permissions\[1\]: slug "a:b" is declared twice$/,
    ],
    ['no description', { permissions: [{ slug: 'a:b' }] }, /"a:b" needs a description/],
    ['an unknown role', { permissions: [{ slug: 'a:b', description: 'x', roles: ['owner'] }] }, /role "owner"/],
    ['roles not a list', { permissions: [{ slug: 'a:b', description: 'x', roles: 'member' }] }, /roles must be a list/],
    ['a typo key', { permissions: [{ slug: 'a:b', description: 'x', role: ['member'] }] }, /unexpected key "role"/],
  ];
  for (const [what, value, message] of bad) {
    it(`refuses ${what} with one line naming the entry`, () => {
      assert.throws(
        () => parseAppPermissions(value),
        (e: unknown) => e instanceof Error && message.test(e.message) && !e.message.includes('\n'),
      );
    });
  }

  it('accepts an empty list and trims descriptions', () => {
    assert.deepEqual(parseAppPermissions({ permissions: [] }), []);
    assert.deepEqual(parseAppPermissions({ permissions: [{ slug: 'billing:export', description: ' Export ' }] }), [
      { slug: 'billing:export', description: 'Export', roles: [] },
    ]);
  });
});

describe('GATEHOUSE_APP_PERMISSIONS_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-perms-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('reads the YAML format of the README', () => {
    const path = file(
      'permissions.yaml',
      [
        'permissions:',
        '  - slug: notes:read',
        '    description: Read notes',
        '    roles: [member]',
        '  - slug: notes:write',
        '    description: Create and edit notes',
        '',
      ].join('\n'),
    );
    assert.deepEqual(parseConfig({ GATEHOUSE_APP_PERMISSIONS_FILE: path }).APP_PERMISSIONS, [
      { slug: 'notes:read', description: 'Read notes', roles: ['member'] },
      { slug: 'notes:write', description: 'Create and edit notes', roles: [] },
    ]);
  });

  it('reads JSON too, and none when unset', () => {
    const path = file('permissions.json', JSON.stringify(NOTES));
    assert.equal(parseConfig({ GATEHOUSE_APP_PERMISSIONS_FILE: path }).APP_PERMISSIONS.length, 2);
    assert.deepEqual(parseConfig({}).APP_PERMISSIONS, []);
  });

  const broken: [string, string | null, RegExp][] = [
    ['a missing file', null, /cannot read the file \(ENOENT\)$/],
    ['a file that is not YAML', 'permissions: [\n  - slug: "a:b\n', /not valid YAML or JSON: /],
    ['a duplicate key', 'permissions: []\npermissions: []\n', /not valid YAML or JSON: /],
    ['a bad slug', 'permissions:\n  - slug: Notes\n    description: x\n', /permissions\[0\]: slug "Notes" must match/],
    ['a Gatehouse slug', 'permissions:\n  - slug: sso:manage\n    description: x\n', /one of Gatehouse's own/],
  ];
  for (const [what, text, message] of broken) {
    it(`stops the start on ${what}: one line, the variable and the file, exit code 2`, () => {
      const path = text === null ? join(dir, 'absent.yaml') : file(`${what.replaceAll(' ', '-')}.yaml`, text);
      let thrown: unknown;
      try {
        parseConfig({ GATEHOUSE_APP_PERMISSIONS_FILE: path });
      } catch (error) {
        thrown = error;
      }
      assert.ok(thrown instanceof ConfigError, 'a ConfigError');
      assert.equal(thrown.variable, 'GATEHOUSE_APP_PERMISSIONS_FILE');
      assert.ok(thrown.message.startsWith(`GATEHOUSE_APP_PERMISSIONS_FILE: ${path}: `), thrown.message);
      assert.match(thrown.message, message);
      const failure = describeFailure(thrown, { command: 'serve' });
      assert.equal(failure.exitCode, 2);
      assert.ok(!failure.line.includes('\n'), failure.line);
    });
  }
});
