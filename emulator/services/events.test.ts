import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createWorld, type World } from '../state/world.ts';
import type { EventWire } from '../state/types.ts';
import type { EmulatorContext } from './context.ts';
import { type EventFilter, listEvents } from './events.ts';

// The Events API reads a page from its cursor instead of filtering the whole log per page. The
// model below is the plain reading (filter everything, then cursor, order and limit); generated
// logs and filters are paged through both, page by page, and must agree.

const TYPES = ['dsync.user.created', 'dsync.user.updated', 'dsync.group.user_added', 'organization.created'];
const ORGS = ['org_a', 'org_b'];

function model(world: World, f: EventFilter) {
  const limit = f.limit ?? 10;
  const start = f.range_start ? Date.parse(f.range_start) : undefined;
  const end = f.range_end ? Date.parse(f.range_end) : undefined;
  const orgOf = (e: EventWire) => {
    const d = e.data as Record<string, any>;
    return d.organization_id ?? (d.object === 'organization' ? d.id : d.group?.organization_id);
  };
  let items = world.events.filter((e) => {
    if (f.events?.length && !f.events.includes(e.event)) return false;
    if (f.organization_id && orgOf(e) !== f.organization_id) return false;
    const at = Date.parse(e.created_at);
    return !(start !== undefined && at < start) && !(end !== undefined && at > end);
  });
  if (f.after) items = items.filter((e) => e.id > f.after!);
  if (f.order === 'desc') items = [...items].reverse();
  const page = items.slice(0, limit);
  return { ids: page.map((e) => e.id), after: page.length > 0 && items.length > limit ? page.at(-1)!.id : null };
}

const step = fc.record({
  type: fc.constantFrom(...TYPES),
  org: fc.constantFrom(...ORGS),
  wrapped: fc.boolean(),
  advanceMs: fc.constantFrom(0, 0, 1, 1000),
});

const query = fc.record({
  events: fc.option(fc.subarray(TYPES, { minLength: 1 }), { nil: undefined }),
  organization_id: fc.option(fc.constantFrom(...ORGS), { nil: undefined }),
  startAt: fc.option(fc.nat({ max: 40 }), { nil: undefined }),
  endAt: fc.option(fc.nat({ max: 40 }), { nil: undefined }),
  cursorAt: fc.option(fc.nat({ max: 60 }), { nil: undefined }),
  limit: fc.integer({ min: 1, max: 7 }),
  order: fc.constantFrom<'asc' | 'desc' | undefined>('asc', 'desc', undefined),
});

test('Events API pages read from the cursor agree with filtering the whole log (property)', () => {
  let pages = 0;
  fc.assert(
    fc.property(
      fc.array(step, { maxLength: 60 }),
      fc.array(query, { minLength: 1, maxLength: 4 }),
      (steps, queries) => {
        const world = createWorld();
        world.clock.setOffset(-1_000_000);
        for (const s of steps) {
          world.clock.advance(s.advanceMs);
          if (s.type === 'organization.created') world.emit(s.type, { object: 'organization', id: s.org });
          else if (s.wrapped) world.emit(s.type, { user: {}, group: { organization_id: s.org } });
          else world.emit(s.type, { object: 'directory_user', organization_id: s.org });
        }
        const ctx = { world } as EmulatorContext;
        const at = (i: number | undefined) => (i === undefined ? undefined : world.events[i]);
        for (const q of queries) {
          const filter: EventFilter = {
            limit: q.limit,
            ...(q.order ? { order: q.order } : {}),
            ...(q.events ? { events: q.events } : {}),
            ...(q.organization_id ? { organization_id: q.organization_id } : {}),
            ...(at(q.startAt) ? { range_start: at(q.startAt)!.created_at } : {}),
            ...(at(q.endAt) ? { range_end: at(q.endAt)!.created_at } : {}),
            // A cursor on an event, or between two ids (a cursor whose event is not in the log).
            ...(at(q.cursorAt) ? { after: q.cursorAt! % 2 ? at(q.cursorAt)!.id : `${at(q.cursorAt)!.id}0` } : {}),
          };
          // Page on through the cursor each answer gives, as a reconciler does.
          for (let n = 0; n < 100; n++) {
            const got = listEvents(ctx, filter);
            const want = model(world, filter);
            assert.deepEqual({ ids: got.data.map((e) => e.id), after: got.list_metadata.after }, want);
            pages++;
            if (!want.after) break;
            filter.after = want.after;
          }
        }
      },
    ),
    { numRuns: Number(process.env.PROPERTY_RUNS ?? 200), seed: Number(process.env.PROPERTY_SEED ?? 20261201) },
  );
  assert.ok(pages > 0);
});
