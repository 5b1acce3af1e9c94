// Property: the membership copy a sign-in writes and the provider's membership events follow one
// versioning rule. Whatever order they land in, after every step the mirror's row holds the write
// with the newest provider time; a sign-in copy with no time only fills a row no timed write has
// versioned, and what the sign-in answers is what the mirror then says. PGlite, one store.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ensureUser } from '../../src/mirror/context.ts';
import { mirrorSignInOrganization, upsertMembership } from '../../src/mirror/sign-in-copy.ts';
import type { Store } from '../../src/store/store.ts';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { ingestEvent } from '../../src/webhooks/inbox.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { recordingRevoker } from '../webhooks/support.ts';

type Write = { via: 'event' | 'sign-in'; time: number | null; role: 'member' | 'admin'; active: boolean };

const write: fc.Arbitrary<Write> = fc.record({
  via: fc.constantFrom('event' as const, 'sign-in' as const),
  time: fc.option(fc.nat(1_000), { freq: 4 }),
  role: fc.constantFrom('member' as const, 'admin' as const),
  active: fc.boolean(),
});

describe('sign-in copies and membership events share one versioning rule (property)', () => {
  let store: Store;
  before(async () => {
    store = await openPgliteTestStore();
  });
  after(async () => store?.close());

  it('keeps the newest provider time after every step, in any order', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(write, { minLength: 1, maxLength: 12 }), async (drawn) => {
        run++;
        const org = `org_copy${run}`;
        const userId = `user_copy${run}`;
        const id = `om_copy${run}`;
        await mirrorSignInOrganization(store.db, { id: org, name: 'Copy', domains: [] });
        await asSystem(store.db, 'test', (tx) => ensureUser(tx, userId, `u${run}@copy.test`));
        // Events carry the time they were sent; times are distinct so that "newest" is one write.
        const seen = new Set<number>();
        const base = Date.UTC(2026, 0, 1);
        let model = null as { role: string; status: string; time: number | null } | null;
        let n = 0;
        for (const w of drawn) {
          n++;
          let time = w.via === 'event' ? (w.time ?? n) : w.time;
          while (time !== null && seen.has(time)) time++;
          if (time !== null) seen.add(time);
          const status = w.active ? 'active' : 'inactive';
          const at = time === null ? null : new Date(base + time).toISOString();
          let answered: { roleSlug: string; status: string } | undefined;
          if (w.via === 'event') {
            const data = {
              object: 'organization_membership',
              id,
              user_id: userId,
              organization_id: org,
              status,
              role: { slug: w.role },
            };
            const event = {
              id: `event_copy${run}_${n}`,
              event: 'organization_membership.updated',
              data,
              created_at: at!,
            };
            await ingestEvent({ db: store.db, access: recordingRevoker() }, event, 'webhook');
          } else {
            answered = await inTenant(store.db, org, (tx) =>
              upsertMembership(
                tx,
                { id, organizationId: org, userId, roleSlug: w.role, status, updatedAt: at },
                'manual',
              ),
            );
          }
          const lands = model === null || (time !== null && (model.time === null || time > model.time));
          const nullFill = model !== null && time === null && model.time === null;
          if (lands || nullFill) model = { role: w.role, status, time: time ?? model?.time ?? null };
          const row = await asSystem(store.db, 'test reads', (tx) =>
            tx
              .selectFrom('organization_memberships')
              .select(['role_slug', 'status'])
              .where('organization_id', '=', org)
              .where('id', '=', id)
              .executeTakeFirstOrThrow(),
          );
          assert.deepEqual({ role: row.role_slug, status: row.status }, { role: model!.role, status: model!.status });
          if (answered)
            assert.deepEqual(
              { role: answered.roleSlug, status: answered.status },
              { role: row.role_slug, status: row.status },
            );
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 25), seed: Number(process.env.PROPERTY_SEED ?? 20261130) },
    );
  });
});
