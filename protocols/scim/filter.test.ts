import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { filterResources, plainEquality } from './filter.ts';

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

test('the plain `attr eq "value"` reading agrees with scimmy over generated filters and directories', () => {
  // The fast reading answers a look-up without scimmy; `… or id eq "none"` sends the same
  // comparison through scimmy's parser and matcher. Both must select the same resources.
  const attributes = ['userName', 'USERNAME', 'externalId', 'displayName', 'title', 'nickName'];
  const values = fc.oneof(
    fc.constantFrom('ana@acme.test', 'Ana@Acme.TEST', '00uA', 'true', '12', '2026-01-01T00:00:00Z', ' ', ''),
    fc.string({ maxLength: 12 }).filter((v) => [...v].every((ch) => ch >= ' ' && ch !== '"' && ch !== '\\')),
  );
  const resource = fc.record({
    userName: values,
    externalId: values,
    displayName: values,
    title: values,
  });
  let checked = 0;
  fc.assert(
    fc.property(
      fc.constantFrom(...attributes),
      values,
      fc.array(resource, { maxLength: 6 }),
      (attribute, value, rs) => {
        const expression = `${attribute} eq "${value}"`;
        assert.ok(plainEquality(expression), expression);
        const resources = rs.map((r, i) => ({ id: `u${i}`, ...r }));
        const fast = filterResources(resources, expression).map((r) => r.id);
        const viaScimmy = filterResources(resources, `${expression} or id eq "none"`).map((r) => r.id);
        assert.deepEqual(fast, viaScimmy, expression);
        checked++;
      },
    ),
    { numRuns: Number(process.env.PROPERTY_RUNS ?? 300), seed: Number(process.env.PROPERTY_SEED ?? 20261201) },
  );
  assert.ok(checked > 0);
  // Anything but the plain form is left to scimmy.
  for (const other of ['userName  eq "a"', 'name.givenName eq "a"', 'userName eq "a\\"b"', 'userName co "a"'])
    assert.equal(plainEquality(other), null, other);
});
