// `gatehouse dev` without WorkOS (AUTH_PROVIDER=local or oidc): the demo organization lives in
// Gatehouse's own store, seeded once (found again by its external id on every restart), and with
// AUTH_PROVIDER=oidc a local `oidc-provider` is started as that organization's identity provider
// and connected to it the way an admin would (discovery through the connections service).
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Gatehouse } from '../../app.ts';
import { newId } from '../../core/ids.ts';
import type { Database } from '../../store/schema.ts';
import { asSystem, inTenant } from '../../store/tenant.ts';
import { startDevIdp, type DevIdp } from '../dev-oidc-idp.ts';

export const DEMO_ORGANIZATION = { externalId: 'demo', name: 'Demo Co', domain: 'demo.test' } as const;
export const DEMO_PEOPLE = [
  { email: 'ada@demo.test', role: 'admin', givenName: 'Ada', familyName: 'Demo' },
  { email: 'ben@demo.test', role: 'member', givenName: 'Ben', familyName: 'Demo' },
] as const;

const DEV_ACTOR = { type: 'system' as const, id: 'cli:dev' };

/** The demo organization and its people, created on the first start; answers its id. */
export async function seedLocalDemo(db: Kysely<Database>): Promise<string> {
  const found = await asSystem(db, 'find the dev demo organization', (tx) =>
    tx
      .selectFrom('organizations')
      .select('id')
      .where('external_id', '=', DEMO_ORGANIZATION.externalId)
      .executeTakeFirst(),
  );
  if (found) return found.id;
  const organizationId = newId('org');
  await asSystem(db, 'seed the dev demo organization', async (tx) => {
    await tx
      .insertInto('organizations')
      .values({ id: organizationId, name: DEMO_ORGANIZATION.name, external_id: DEMO_ORGANIZATION.externalId })
      .execute();
    for (const p of DEMO_PEOPLE) {
      await tx
        .insertInto('users')
        .values({
          id: newId('user'),
          email: p.email,
          email_verified: true,
          first_name: p.givenName,
          last_name: p.familyName,
        })
        .execute();
    }
  });
  await inTenant(db, organizationId, async (tx) => {
    for (const p of DEMO_PEOPLE) {
      const user = await tx.selectFrom('users').select('id').where('email', '=', p.email).executeTakeFirstOrThrow();
      await tx
        .insertInto('organization_memberships')
        .values({
          organization_id: organizationId,
          id: newId('om'),
          user_id: user.id,
          role_slug: p.role,
          status: 'active',
          source: 'manual',
        })
        .execute();
    }
  });
  return organizationId;
}

/**
 * AUTH_PROVIDER=oidc: the demo identity provider on its own loopback port, connected to the demo
 * organization for demo.test. A connection left from an earlier run on another port is replaced.
 */
export async function startOidcDemo(gatehouse: Gatehouse, organizationId: string, secret: string): Promise<DevIdp> {
  const oidc = gatehouse.oidc;
  if (!oidc) throw new TypeError('startOidcDemo needs AUTH_PROVIDER=oidc and GATEHOUSE_SECRET');
  const idp = await startDevIdp({
    clientId: 'gatehouse-dev',
    // Stable across restarts (derived from the dev secret), so a kept connection stays valid.
    clientSecret: createHmac('sha256', secret).update('dev oidc client secret').digest('base64url'),
    redirectUris: [oidc.redirectUri],
    accounts: DEMO_PEOPLE.map((p) => ({ email: p.email, givenName: p.givenName, familyName: p.familyName })),
  });
  try {
    const existing = await oidc.connections.list(organizationId);
    if (existing.some((k) => k.issuer === idp.issuer)) return idp;
    const sso = gatehouse.identity?.sso;
    for (const old of existing) {
      if ((await sso?.getSsoConfig(organizationId))?.connectionId === old.id)
        await sso?.disableSso(DEV_ACTOR, organizationId);
      await oidc.connections.remove(DEV_ACTOR, organizationId, old.id);
    }
    await oidc.connections.create(DEV_ACTOR, organizationId, {
      name: 'Demo identity provider',
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      domains: [DEMO_ORGANIZATION.domain],
    });
    return idp;
  } catch (error) {
    await idp.close();
    throw error;
  }
}
