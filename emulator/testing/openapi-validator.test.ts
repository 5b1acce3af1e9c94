import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOpenApiValidator } from './openapi-validator.ts';

const validator = createOpenApiValidator();
const now = '2026-01-01T00:00:00.000Z';
const user = {
  object: 'user',
  id: 'user_1',
  first_name: null,
  last_name: null,
  profile_picture_url: null,
  email: 'a@b.test',
  email_verified: true,
  external_id: null,
  metadata: {},
  last_sign_in_at: null,
  locale: null,
  created_at: now,
  updated_at: now,
};

test('matches concrete paths to the most literal template', () => {
  assert.equal(validator.matchPath('GET', '/user_management/users/user_1'), '/user_management/users/{id}');
  assert.equal(
    validator.matchPath('GET', '/user_management/users/external_id/x'),
    '/user_management/users/external_id/{external_id}',
  );
  assert.equal(validator.matchPath('GET', '/nope'), undefined);
});

test('accepts a valid body and rejects a body with a wrong field type', () => {
  validator.validateResponse('GET', '/user_management/users/user_1', 200, user);
  assert.throws(
    () => validator.validateResponse('GET', '/user_management/users/user_1', 200, { ...user, email_verified: 'yes' }),
    /does not match/,
  );
  assert.throws(
    () => validator.validateResponse('GET', '/user_management/users/user_1', 200, { ...user, created_at: 'yesterday' }),
    /does not match/,
  );
});

test('rejects undocumented statuses and unknown operations', () => {
  assert.throws(() => validator.validateResponse('GET', '/user_management/users/user_1', 418, {}), /not documented/);
  assert.throws(() => validator.validateResponse('GET', '/nope', 200, {}), /no such operation/);
});

test('a status documented without a body must come back empty', () => {
  validator.validateResponse('DELETE', '/user_management/users/user_1', 200, null);
  assert.throws(() => validator.validateResponse('DELETE', '/user_management/users/user_1', 200, { x: 1 }), /no body/);
});

test('a schema compiled by an earlier process is read back from its code and judges alike', () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'gatehouse-ajv-cache-'));
  try {
    const judge = (v: ReturnType<typeof createOpenApiValidator>) =>
      [user, { ...user, email_verified: 'yes' }, { ...user, created_at: 'yesterday' }].map((body) => {
        try {
          v.validateResponse('GET', '/user_management/users/user_1', 200, body);
          return 'accepted';
        } catch (error) {
          return (error as Error).message.split('\nbody:')[0];
        }
      });
    const compiled = judge(createOpenApiValidator({ cacheDir }));
    const files = readdirSync(cacheDir);
    assert.equal(files.length, 1, 'the compiled schema is kept');
    assert.equal(compiled[0], 'accepted');
    assert.match(compiled[2]!, /created_at must match format "date-time"/);
    assert.deepEqual(judge(createOpenApiValidator({ cacheDir })), compiled, 'read back, it judges the same');
    // A damaged file is compiled again and replaced.
    writeFileSync(join(cacheDir, files[0]!), 'module.exports = (');
    assert.deepEqual(judge(createOpenApiValidator({ cacheDir })), compiled);
    assert.deepEqual(judge(createOpenApiValidator({ cacheDir })), compiled);
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
