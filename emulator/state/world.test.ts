import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWorld } from './world.ts';
import { createClock } from './clock.ts';
import { hashPassword, verifyPassword } from './password.ts';

test('ids are prefixed, 26-char ULIDs and strictly increasing within one millisecond', () => {
  const clock = createClock();
  clock.setOffset(0);
  const world = createWorld({ clock });
  const ids = Array.from({ length: 500 }, () => world.newId('user'));
  for (const id of ids) assert.match(id, /^user_01[0-9A-HJKMNP-TV-Z]{24}$/);
  const sorted = [...ids].sort();
  assert.deepEqual(ids, sorted);
  assert.equal(new Set(ids).size, ids.length);
});

test('ids stay increasing when the clock moves backwards', () => {
  const clock = createClock();
  const world = createWorld({ clock });
  const first = world.newId('org');
  clock.setOffset(-60_000);
  const second = world.newId('org');
  assert.ok(second > first);
});

test('emit appends to the log, copies data and notifies subscribers; unsubscribe stops it', () => {
  const world = createWorld();
  const seen: string[] = [];
  const off = world.onEvent((e) => seen.push(e.event));
  const data = { id: 'user_1', email: 'a@b.test' };
  const event = world.emit('user.created', data);
  data.email = 'changed@b.test';
  assert.equal(event.object, 'event');
  assert.match(event.id, /^event_01/);
  assert.equal(world.events.length, 1);
  assert.equal(world.events[0]?.data.email, 'a@b.test');
  off();
  world.emit('user.deleted', data);
  assert.deepEqual(seen, ['user.created']);
  assert.equal(world.events.length, 2);
});

test('a throwing listener does not block the others', () => {
  const world = createWorld();
  let reached = false;
  world.onEvent(() => {
    throw new Error('boom');
  });
  world.onEvent(() => {
    reached = true;
  });
  world.emit('organization.created', { id: 'org_1' });
  assert.equal(reached, true);
});

test('reset clears collections and logs but keeps subscribers', () => {
  const world = createWorld();
  let count = 0;
  world.onEvent(() => count++);
  world.users.set('user_1', {} as never);
  world.sendEmail('magic_auth', 'a@b.test', 'code', 'your code', { code: '123456' });
  world.emit('user.created', {});
  world.reset();
  assert.equal(world.users.size, 0);
  assert.equal(world.outbox.length, 0);
  assert.equal(world.events.length, 0);
  world.emit('user.created', {});
  assert.equal(count, 2);
});

test('clock offset moves now()', () => {
  const clock = createClock();
  const before = clock.nowMs();
  clock.advance(3_600_000);
  assert.ok(clock.nowMs() - before >= 3_600_000);
  assert.throws(() => clock.setOffset(Number.NaN), TypeError);
});

test('passwords hash with scrypt and verify only the right password', () => {
  const stored = hashPassword('correct horse');
  assert.match(stored, /^scrypt\$/);
  assert.equal(verifyPassword('correct horse', stored), true);
  assert.equal(verifyPassword('wrong horse', stored), false);
  assert.equal(verifyPassword('x', 'garbage'), false);
});
