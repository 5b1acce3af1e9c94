// Builders for session and access tests: an organization with members in given roles, a
// counting token refresher that mints JWT-shaped tokens with a chosen lifetime, and the access
// revoker of directory events.
import type { Kysely } from 'kysely';
import { SignJWT } from 'jose';
import { newId } from '../../src/core/ids.ts';
import type { Database, MembershipStatus } from '../../src/store/schema.ts';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { createAccessRevoker } from '../../src/mirror/access-revoker.ts';
import type { TokenRefresher } from '../../src/sessions/session-service.ts';
import { createOrg, createUser } from './fixtures.ts';

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

export async function addMember(
  db: Kysely<Database>,
  organizationId: string,
  userId: string,
  role = 'member',
  status: MembershipStatus = 'active',
): Promise<string> {
  const id = newId('om');
  await inTenant(db, organizationId, (tx) =>
    tx
      .insertInto('organization_memberships')
      .values({ organization_id: organizationId, id, user_id: userId, role_slug: role, status, source: 'manual' })
      .execute(),
  );
  return id;
}

export async function setMembershipStatus(
  db: Kysely<Database>,
  organizationId: string,
  userId: string,
  status: MembershipStatus,
): Promise<void> {
  await inTenant(db, organizationId, (tx) =>
    tx
      .updateTable('organization_memberships')
      .set({ status })
      .where('organization_id', '=', organizationId)
      .where('user_id', '=', userId)
      .execute(),
  );
}

export async function orgWithMember(
  db: Kysely<Database>,
  role = 'admin',
  email = `${newId('u').toLowerCase()}@acme.test`,
) {
  const organizationId = await createOrg(db, 'Acme');
  const userId = await createUser(db, email);
  await addMember(db, organizationId, userId, role);
  return { organizationId, userId };
}

/** An unsigned-looking JWT carrying only `exp`: the session layer decodes it, never verifies it. */
export async function fakeAccessToken(expiresAtMs: number): Promise<string> {
  return new SignJWT({ exp: Math.floor(expiresAtMs / 1000) })
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode('x'.repeat(32)));
}

export function countingRefresher(
  clock: () => number,
  lifetimeMs = 5 * 60_000,
  delayMs = 20,
): TokenRefresher & { calls: number } {
  const state = {
    calls: 0,
    async refresh(input: { refreshToken: string }) {
      state.calls++;
      await new Promise((r) => setTimeout(r, delayMs));
      return { accessToken: await fakeAccessToken(clock() + lifetimeMs), refreshToken: `${input.refreshToken}'` };
    },
  };
  return state;
}

/**
 * The access revoker directory events use, with sessions ended in the database after commit as the
 * session service does in production (no publishing: one process).
 */
export function sessionEndingRevoker(db: Kysely<Database>) {
  return createAccessRevoker({
    publish: async () => undefined,
    sessions: {
      revokeAllForUser: (userId, organizationId) =>
        asSystem(db, 'test ends sessions', async (tx) =>
          Number(
            (
              await tx
                .updateTable('sessions')
                .set({ revoked_at: new Date(), revoked_reason: 'deprovisioned' })
                .where('user_id', '=', userId)
                .where('organization_id', '=', organizationId!)
                .where('revoked_at', 'is', null)
                .executeTakeFirst()
            ).numUpdatedRows,
          ),
        ),
    },
  });
}
