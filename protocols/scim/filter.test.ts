import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterResources } from './filter.ts';

const users = [
  {
    id: '1',
    userName: 'Ana@Acme.test',
    externalId: '00uA',
    active: true,
    emails: [{ value: 'Ana@Acme.test', type: 'work' }],
  },
  {
    id: '2',
    userName: 'bo@acme.test',
    externalId: '00uB',
    active: false,
    emails: [{ value: 'bo@acme.test', type: 'work' }],
  },
];

test('userName matches case-insensitively, externalId exactly', () => {
  assert.deepEqual(
    filterResources(users, 'userName eq "ana@acme.TEST"').map((u) => u.id),
    ['1'],
  );
  assert.deepEqual(
    filterResources(users, 'externalId eq "00uB"').map((u) => u.id),
    ['2'],
  );
  assert.deepEqual(
    filterResources(users, 'externalId eq "00ub"').map((u) => u.id),
    [],
  );
});

test('compound, negated and value-path filters; no filter keeps all', () => {
  assert.deepEqual(
    filterResources(users, 'userName sw "ANA" or active eq false').map((u) => u.id),
    ['1', '2'],
  );
  assert.deepEqual(
    filterResources(users, 'emails[type eq "work" and value eq "BO@acme.test"]').map((u) => u.id),
    ['2'],
  );
  assert.deepEqual(
    filterResources(users, 'emails.value eq "bo@ACME.test"').map((u) => u.id),
    ['2'],
  );
  assert.deepEqual(
    filterResources(users, 'not (userName eq "bo@acme.test")').map((u) => u.id),
    ['1'],
  );
  assert.equal(filterResources(users, undefined).length, 2);
});

test('a malformed filter is a SCIM invalidFilter error', () => {
  assert.throws(
    () => filterResources(users, 'userName zz "x"'),
    (e: { status?: number; scimType?: string }) => e.status === 400 && e.scimType === 'invalidFilter',
  );
});
