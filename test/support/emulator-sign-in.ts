// Real WorkOS credentials from the emulator over HTTP, through the unmodified SDK: an AuthKit
// sign-in for a user into an organization, and an M2M token. Also mirrors the emulator's
// organizations, users and memberships into a store, so the local checks have rows to read.
import { decodeJwt } from 'jose';
import { WorkOS } from '@workos-inc/node';
import type { Kysely } from 'kysely';
import type { RunningEmulator } from '../../emulator/index.ts';
import type { Database } from '../../src/store/schema.ts';
import { asSystem } from '../../src/store/tenant.ts';

export function sdkFor(emulator: RunningEmulator): WorkOS {
  const url = new URL(emulator.url);
  return new WorkOS(emulator.apiKey, {
    apiHostname: url.hostname,
    port: Number(url.port),
    https: false,
    clientId: emulator.clientId,
  });
}

export function orgIdByName(emulator: RunningEmulator, name: string): string {
  const org = [...emulator.world.organizations.values()].find((o) => o.name === name);
  if (!org) throw new Error(`emulator has no organization ${name}`);
  return org.id;
}

export function userIdByEmail(emulator: RunningEmulator, email: string): string {
  const user = [...emulator.world.users.values()].find((u) => u.email === email);
  if (!user) throw new Error(`emulator has no user ${email}`);
  return user.id;
}

export interface EmulatorSignIn {
  userId: string;
  organizationId: string;
  accessToken: string;
  refreshToken: string;
  workosSessionId: string;
}

/** A finished hosted sign-in (the emulator's control shortcut), redeemed with the SDK. */
export async function signInThroughEmulator(
  emulator: RunningEmulator,
  email: string,
  organization: string,
  options: { sealWith?: string } = {},
): Promise<EmulatorSignIn & { sealedSession?: string }> {
  const userId = userIdByEmail(emulator, email);
  const organizationId = orgIdByName(emulator, organization);
  const res = await fetch(`${emulator.url}/_emulator/authorization_codes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${emulator.apiKey}` },
    body: JSON.stringify({
      user_id: userId,
      organization_id: organizationId,
      redirect_uri: 'http://127.0.0.1/callback',
    }),
  });
  if (res.status !== 201) throw new Error(`emulator refused an authorization code: ${res.status}`);
  const { code } = (await res.json()) as { code: string };
  const auth = await sdkFor(emulator).userManagement.authenticateWithCode({
    clientId: emulator.clientId,
    code,
    ...(options.sealWith ? { session: { sealSession: true, cookiePassword: options.sealWith } } : {}),
  });
  const sid = decodeJwt(auth.accessToken).sid as string;
  return {
    userId,
    organizationId,
    accessToken: auth.accessToken,
    refreshToken: auth.refreshToken,
    workosSessionId: sid,
    ...(auth.sealedSession ? { sealedSession: auth.sealedSession } : {}),
  };
}

export async function m2mToken(
  emulator: RunningEmulator,
  clientId = 'client_acme_reporting',
  clientSecret = 'acme-reporting-demo-secret',
): Promise<string> {
  const res = await fetch(`${emulator.url}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  if (res.status !== 200) throw new Error(`emulator refused client_credentials: ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

/** Copies the emulator's organizations, users and memberships into the store's mirror tables. */
export async function mirrorEmulator(db: Kysely<Database>, emulator: RunningEmulator): Promise<void> {
  const { world } = emulator;
  await asSystem(db, 'test mirror of the emulator', async (tx) => {
    for (const o of world.organizations.values()) {
      await tx
        .insertInto('organizations')
        .values({ id: o.id, name: o.name })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
    for (const u of world.users.values()) {
      await tx
        .insertInto('users')
        .values({ id: u.id, email: u.email })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
    for (const m of world.memberships.values()) {
      await tx
        .insertInto('organization_memberships')
        .values({
          organization_id: m.organization_id,
          id: m.id,
          user_id: m.user_id,
          role_slug: m.role.slug,
          status: m.status === 'active' ? 'active' : 'inactive',
          source: 'manual',
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
  });
}
