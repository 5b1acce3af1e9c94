import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paginate, parseListParams } from './pagination.ts';
import { EmulatorError } from './errors.ts';

const items = Array.from({ length: 7 }, (_, i) => ({ id: `x_${i}` }));
const ids = (page: { data: Array<{ id: string }> }) => page.data.map((x) => x.id);

test('desc (default): newest first; after walks older, before walks back', () => {
  const p1 = paginate(items, { limit: 3 });
  assert.deepEqual(ids(p1), ['x_6', 'x_5', 'x_4']);
  assert.deepEqual(p1.list_metadata, { before: null, after: 'x_4' });
  const p2 = paginate(items, { limit: 3, after: 'x_4' });
  assert.deepEqual(ids(p2), ['x_3', 'x_2', 'x_1']);
  assert.deepEqual(p2.list_metadata, { before: 'x_3', after: 'x_1' });
  const p3 = paginate(items, { limit: 3, after: 'x_1' });
  assert.deepEqual(ids(p3), ['x_0']);
  assert.equal(p3.list_metadata.after, null);
  assert.deepEqual(ids(paginate(items, { limit: 3, before: 'x_3' })), ['x_6', 'x_5', 'x_4']);
});

test('asc: oldest first with the same cursor semantics in list order', () => {
  const p1 = paginate(items, { limit: 4, order: 'asc' });
  assert.deepEqual(ids(p1), ['x_0', 'x_1', 'x_2', 'x_3']);
  assert.deepEqual(ids(paginate(items, { limit: 4, order: 'asc', after: p1.list_metadata.after! })), [
    'x_4',
    'x_5',
    'x_6',
  ]);
  assert.deepEqual(ids(paginate(items, { limit: 2, order: 'asc', before: 'x_4' })), ['x_2', 'x_3']);
});

test('normal: newest first, but after fetches newer and before fetches older', () => {
  const p1 = paginate(items, { limit: 3, order: 'normal' });
  assert.deepEqual(ids(p1), ['x_6', 'x_5', 'x_4']);
  assert.deepEqual(p1.list_metadata, { before: 'x_4', after: null });
  const older = paginate(items, { limit: 3, order: 'normal', before: 'x_4' });
  assert.deepEqual(ids(older), ['x_3', 'x_2', 'x_1']);
  const newer = paginate(items, { limit: 3, order: 'normal', after: 'x_3' });
  assert.deepEqual(ids(newer), ['x_6', 'x_5', 'x_4']);
});

test('empty lists and unknown cursors give empty pages with null cursors', () => {
  assert.deepEqual(paginate([], {}), { object: 'list', data: [], list_metadata: { before: null, after: null } });
  assert.deepEqual(ids(paginate(items, { after: 'x_0' })), []);
});

test('parseListParams validates limit and order', () => {
  assert.deepEqual(parseListParams({ limit: '5', order: 'asc', after: 'a' }), { limit: 5, order: 'asc', after: 'a' });
  assert.throws(() => parseListParams({ limit: '0' }), EmulatorError);
  assert.throws(() => parseListParams({ limit: '2.5' }), EmulatorError);
  assert.throws(() => parseListParams({ order: 'sideways' }), EmulatorError);
});
