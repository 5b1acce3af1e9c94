// Property: a direct OIDC sign-in only ever lands in the organization whose connection
// authenticated it, and an organization enforcing SSO only ever gets sessions that came through
// its own connection. Sequences over three organizations — O1 and O3 with connections on the same
// issuer (a shared identity provider, e.g. one Google for two customers), O2 with its own — of
// sign-ins through any connection asserting any person at any domain, verified or not, email-code
// sign-ins, invitations, deactivations and SSO enforcement toggles. After every step every session
// in the store is checked, and every identity link. The ID token checks themselves are the attack
// table's (test/security/oidc-attacks.test.ts); this drives the decision after them: who the claims
// are and where the session lands (identity/oidc/oidc-provider.ts, identity/sign-in.ts).
// PGlite, fixed seed (PROPERTY_RUNS / PROPERTY_SEED for longer runs).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { openGatehouse, type Gatehouse } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { newId } from '../../src/core/ids.ts';
import { createLocalProvider } from '../../src/identity/local/local-provider.ts';
import type { OidcConnection } from '../../src/identity/oidc/oidc-connections.ts';
import type { OidcIdentityProvider } from '../../src/identity/oidc/oidc-provider.ts';
import { createSignInService, type SignInService } from '../../src/identity/sign-in.ts';
import { createLogger } from '../../src/logger.ts';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { TEST_SECRET, addMember, setMembershipStatus } from '../support/access-fixtures.ts';
import { createOrg, createUser } from '../support/fixtures.ts';
import { openPgliteTestStore } from '../support/stores.ts';

const ISSUER_1 = 'https://idp-one.example';
const ISSUER_2 = 'https://idp-two.example';
const DOMAINS = ['one.test', 'two.test', 'three.test', 'elsewhere.test'];
const PEOPLE = ['ann', 'ben', 'cat'];

type Op =
  | { op: 'oidc'; conn: number; person: number; domain: number; verified: boolean }
  | { op: 'code'; person: number; domain: number }
  | { op: 'invite'; org: number; person: number; domain: number }
  | { op: 'deactivate'; org: number; person: number; domain: number }
  | { op: 'enforce'; org: number; on: boolean };

const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('oidc' as const),
      conn: fc.nat(2),
      person: fc.nat(PEOPLE.length - 1),
      // -1: the connection's own domain (mostly), else any domain.
      domain: fc.oneof({ weight: 3, arbitrary: fc.constant(-1) }, { weight: 2, arbitrary: fc.nat(DOMAINS.length - 1) }),
      verified: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('code' as const),
      person: fc.nat(PEOPLE.length - 1),
      domain: fc.nat(2),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('invite' as const),
      org: fc.nat(2),
      person: fc.nat(PEOPLE.length - 1),
      domain: fc.nat(DOMAINS.length - 1),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('deactivate' as const),
      org: fc.nat(2),
      person: fc.nat(PEOPLE.length - 1),
      domain: fc.nat(DOMAINS.length - 1),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('enforce' as const),
      org: fc.nat(2),
      on: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
);

describe('direct OIDC sign-ins land only where the connection belongs (property)', () => {
  let gatehouse: Gatehouse;
  let signIn: SignInService;
  let local: ReturnType<typeof createLocalProvider>;
  before(async () => {
    const config = parseConfig({
      AUTH_PROVIDER: 'oidc',
      LOCAL_EMAIL_CODE: 'on',
      GATEHOUSE_SECRET: TEST_SECRET,
      PUBLIC_URL: 'http://gatehouse.test',
      LOG_LEVEL: 'silent',
      RECONCILE_INTERVAL_SECONDS: '0',
      RETENTION_INTERVAL_SECONDS: '0',
    });
    gatehouse = await openGatehouse(config, { store: await openPgliteTestStore(), logger: createLogger('silent') });
    const provider = gatehouse.identity!.provider;
    signIn = createSignInService({
      db: gatehouse.store.db,
      provider,
      sessions: gatehouse.access.sessions!,
      onProviderSessionNotEnded: () => undefined,
    });
    local = createLocalProvider({
      db: gatehouse.store.db,
      secret: TEST_SECRET,
      publicUrl: config.PUBLIC_URL,
      signup: 'invitation',
    });
  });
  after(() => gatehouse?.close());

  it('checks every session and identity link after every step', async () => {
    const db = gatehouse.store.db;
    const provider = gatehouse.identity!.provider as OidcIdentityProvider;
    let oidcLanded = 0;
    let oidcRefused = 0;
    let enforcedRefusals = 0;
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 16 }), async (ops) => {
        run++;
        // A fresh world per run: three organizations and their connections, people unique to the run.
        const orgs = [
          await createOrg(db, `O1-${run}`),
          await createOrg(db, `O2-${run}`),
          await createOrg(db, `O3-${run}`),
        ];
        const tag = `r${run}`;
        const domainOf = (i: number) => `${tag}.${DOMAINS[i]}`;
        const emailOf = (person: number, domain: number) => `${PEOPLE[person]}@${domainOf(domain)}`;
        const connections: OidcConnection[] = [
          { issuer: ISSUER_1, org: 0, domains: [0] },
          { issuer: ISSUER_2, org: 1, domains: [1] },
          { issuer: ISSUER_1, org: 2, domains: [2] },
        ].map((k, i) => ({
          id: newId('conn'),
          organizationId: orgs[k.org]!,
          name: `C${i + 1}`,
          issuer: k.issuer,
          clientId: `client-${i}`,
          domains: k.domains.map(domainOf),
          createdAt: new Date().toISOString(),
        }));
        for (const k of connections) {
          await inTenant(db, k.organizationId, async (tx) => {
            await tx
              .insertInto('oidc_connections')
              .values({
                organization_id: k.organizationId,
                id: k.id,
                issuer: k.issuer,
                client_id: k.clientId,
                client_secret_enc: 'unused',
              })
              .execute();
            await tx
              .insertInto('sso_connections')
              .values({ organization_id: k.organizationId, id: k.id, connection_type: 'GenericOIDC', state: 'active' })
              .execute();
            await tx
              .insertInto('sso_configs')
              .values({ organization_id: k.organizationId, enabled: true, connection_id: k.id })
              .execute();
          });
        }
        const enforced = [false, false, false];
        const connectionOrg = new Map(connections.map((k) => [k.id, k.organizationId]));

        for (const step of ops) {
          if (step.op === 'enforce') {
            enforced[step.org] = step.on;
            await inTenant(db, orgs[step.org]!, (tx) =>
              tx
                .updateTable('sso_configs')
                .set({ enforced: step.on })
                .where('organization_id', '=', orgs[step.org]!)
                .execute(),
            );
          } else if (step.op === 'invite' || step.op === 'deactivate') {
            const email = emailOf(step.person, step.domain);
            const existing = await asSystem(db, 'test', (tx) =>
              tx.selectFrom('users').select('id').where('email', '=', email).orderBy('created_at').executeTakeFirst(),
            );
            const userId = existing?.id ?? (await createUser(db, email));
            const member = await inTenant(db, orgs[step.org]!, (tx) =>
              tx
                .selectFrom('organization_memberships')
                .select('id')
                .where('organization_id', '=', orgs[step.org]!)
                .where('user_id', '=', userId)
                .executeTakeFirst(),
            );
            if (step.op === 'invite' && !member) await addMember(db, orgs[step.org]!, userId, 'member', 'pending');
            if (step.op === 'deactivate' && member) await setMembershipStatus(db, orgs[step.org]!, userId, 'inactive');
          } else if (step.op === 'oidc') {
            const connection = connections[step.conn]!;
            const domain = step.domain === -1 ? step.conn : step.domain;
            const email = emailOf(step.person, domain);
            const outcome = await provider.signInWithClaims(connection, {
              issuer: connection.issuer,
              // One subject per person per issuer: a shared issuer names one person the same way.
              subject: `${tag}-${connection.issuer}-${PEOPLE[step.person]}`,
              email,
              emailVerified: step.verified,
              givenName: null,
              familyName: null,
            });
            const allowed = step.verified && connection.domains.includes(domainOf(domain));
            if (outcome.kind === 'refused') {
              oidcRefused++;
              assert.equal(allowed, false, `refused an allowed sign-in: ${outcome.reason}`);
              continue;
            }
            assert.equal(allowed, true, 'accepted claims outside the connection’s rules');
            const result = await signIn.complete(outcome, {
              returnTo: '/',
              source: 'code',
              connection: { connectionId: connection.id, organizationId: connection.organizationId },
            });
            if (result.responseType === 'LOGIN_SUCCESSFUL') {
              oidcLanded++;
              assert.equal(result.organizationId, connection.organizationId, 'landed outside the connection’s org');
            }
          } else {
            const outcome = await local.signInByEmail(emailOf(step.person, step.domain));
            if (outcome.kind === 'refused') continue;
            const result = await signIn.complete(outcome, { returnTo: '/', source: 'code' });
            if (result.responseType === 'LOGIN_SUCCESSFUL') {
              const i = orgs.indexOf(result.organizationId);
              assert.equal(i >= 0 && enforced[i], false, 'an email code entered an organization enforcing SSO');
            } else if (result.responseType === 'SSO_REQUIRED') enforcedRefusals++;
          }

          // After every step: every session of this run, and every identity link.
          const sessions = await asSystem(db, 'test', (tx) =>
            tx
              .selectFrom('sessions')
              .select(['organization_id', 'auth_method', 'sso_connection_id', 'sso_organization_id', 'created_at'])
              .where('organization_id', 'in', orgs)
              .execute(),
          );
          for (const s of sessions) {
            if (s.auth_method === 'oidc') {
              assert.ok(s.sso_connection_id, 'an OIDC session without its connection');
              assert.equal(connectionOrg.get(s.sso_connection_id), s.organization_id, 'OIDC session in a foreign org');
              assert.equal(s.sso_organization_id, s.organization_id);
            } else {
              assert.equal(s.sso_connection_id, null, 'a non-OIDC session bound to a connection');
            }
          }
          const links = await asSystem(db, 'test', (tx) =>
            tx
              .selectFrom('oidc_identities as i')
              .innerJoin('oidc_connections as c', 'c.id', 'i.connection_id')
              .leftJoin('organization_memberships as m', (j) =>
                j.onRef('m.user_id', '=', 'i.user_id').onRef('m.organization_id', '=', 'c.organization_id'),
              )
              .select(['i.user_id', 'm.id as membership'])
              .where('c.organization_id', 'in', orgs)
              .execute(),
          );
          for (const l of links) assert.ok(l.membership, 'a person linked to a connection of an org they are not in');
        }
      }),
      {
        numRuns: Number(process.env.PROPERTY_RUNS ?? 15),
        seed: Number(process.env.PROPERTY_SEED ?? 20261130),
        endOnFailure: true,
      },
    );
    console.log(
      `OIDC landing: ${oidcLanded} sessions landed in their connection's org, ${oidcRefused} claims refused, ${enforcedRefusals} email codes refused by SSO enforcement`,
    );
    assert.ok(oidcLanded > 0 && oidcRefused > 0 && enforcedRefusals > 0, 'the generator reached every outcome');
  });
});
