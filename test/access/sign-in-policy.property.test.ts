// Property: no credential of an organization that did not come through that organization's own
// SSO connection works while it enforces SSO. Sequences over two organizations (Alpha, Beta):
// SSO off / enabled / enforced on each, sign-ins by password, through an organization's connection
// (Gatehouse chose it), or through the other organization's connection while Gatehouse chose
// this one, organization switches, bearer use of a session's access token and of a token minted
// outside Gatehouse, and API key creation. After every step, every credential ever obtained is
// tried against its organization; each one the model says does not meet the policy must be
// refused. A model of what Gatehouse promises, not of how it works: a credential counts as SSO
// for an organization only when the sign-in behind it came through that organization's connection.
// PGlite, one world, fixed seed (PROPERTY_RUNS / PROPERTY_SEED for longer runs).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { signInThroughEmulator } from '../support/emulator-sign-in.ts';
import { send } from '../sign-in/in-process.ts';
import { accessTokenOf, apiCall, cookieName, ORGS, startAccessWorld, type AccessWorld, type OrgName } from './world.ts';

type SsoState = 'off' | 'enabled' | 'enforced';
type Op =
  | { op: 'sso'; org: OrgName; state: SsoState }
  | { op: 'signIn'; who: number; org: OrgName; via: 'password' | 'sso' | 'other_connection' | 'hosted_sso' }
  | { op: 'switch'; cred: number }
  | { op: 'bearer'; cred: number }
  | { op: 'outsideToken'; who: number; org: OrgName }
  | { op: 'apiKey'; cred: number };

const PEOPLE = ['ada@both.test', 'bea@both.test'];
const org = fc.constantFrom<OrgName>(...ORGS);
const op: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('sso' as const),
      org,
      state: fc.constantFrom<SsoState>('off', 'enabled', 'enforced'),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('signIn' as const),
      who: fc.nat(1),
      org,
      via: fc.constantFrom('password' as const, 'sso' as const, 'other_connection' as const, 'hosted_sso' as const),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('switch' as const), cred: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('bearer' as const), cred: fc.nat(20) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('outsideToken' as const), who: fc.nat(1), org }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('apiKey' as const), cred: fc.nat(20) }) },
);

/** A credential and what the model knows of it: its organization and the sign-in behind it. */
interface Held {
  kind: 'cookie' | 'bearer' | 'api_key';
  value: string;
  org: OrgName;
  /** The organization whose connection the sign-in came through, or null. */
  via: OrgName | null;
  /** Whether Gatehouse chose (and so recorded) that connection. */
  chosen: boolean;
  label: string;
}

const other = (o: OrgName): OrgName => (o === 'Alpha' ? 'Beta' : 'Alpha');

describe('sign-in policy bound to the connection (property)', () => {
  let world: AccessWorld;
  before(async () => {
    world = await startAccessWorld();
  });
  after(async () => world?.close());

  it('refuses, after every step, every credential of an enforcing organization that did not come through its connection', async () => {
    let tried = 0;
    let refusedAsRequired = 0;
    let compliantAccepted = 0;
    const runs = Number(process.env.PROPERTY_RUNS ?? 8);
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 6, maxLength: 14 }), async (ops) => {
        const sso: Record<OrgName, SsoState> = { Alpha: 'off', Beta: 'off' };
        for (const o of ORGS) await world.setSso(o, 'off');
        const held: Held[] = [];
        const cookies = () => held.filter((h) => h.kind === 'cookie');
        const meets = (h: Held) => sso[h.org] !== 'enforced' || h.via === h.org;

        const check = async (step: string) => {
          for (const h of held) {
            const res = await apiCall(
              world,
              `/api/v1/organizations/${world.org(h.org)}/members`,
              h.kind === 'cookie' ? { cookie: h.value } : { bearer: h.value },
            );
            tried++;
            if (!meets(h)) {
              assert.ok(
                res.res.status >= 400,
                `${step}: ${h.label} of ${h.org} (sign-in through ${h.via ?? 'no connection'}) answered ${res.res.status} while ${h.org} enforces SSO`,
              );
              refusedAsRequired++;
            } else if (res.res.status === 200) {
              compliantAccepted++;
            }
          }
        };

        for (const o of ops) {
          switch (o.op) {
            case 'sso':
              await world.setSso(o.org, o.state);
              sso[o.org] = o.state;
              break;
            case 'signIn': {
              const email = PEOPLE[o.who]!;
              const how =
                o.via === 'password'
                  ? { org: o.org, via: 'password' as const }
                  : {
                      org: o.org,
                      via: 'sso' as const,
                      hosted: o.via === 'hosted_sso',
                      ...(o.via === 'other_connection' ? { through: other(o.org) } : {}),
                    };
              // Gatehouse chooses a connection when asked for an organization that has SSO enabled.
              const chosen = o.via !== 'password' && o.via !== 'hosted_sso' && sso[o.org] !== 'off';
              const sent = await world.signIn(email, how);
              const body = await sent.json();
              if (body.responseType === 'LOGIN_SUCCESSFUL' && sent.cookies[cookieName]) {
                const landed = ORGS.find((n) => world.org(n) === body.organizationId)!;
                // SSO binds to the organization the provider's own answer names, and must agree
                // with the connection Gatehouse chose, if it chose one.
                const via = o.via === 'password' ? null : chosen ? (landed === o.org ? o.org : null) : landed;
                held.push({
                  kind: 'cookie',
                  value: sent.cookies[cookieName]!,
                  org: landed,
                  via,
                  chosen: chosen && via !== null,
                  label: `session (${o.via} ${email})`,
                });
              }
              break;
            }
            case 'switch': {
              const from = cookies()[o.cred % Math.max(1, cookies().length)];
              if (!from) break;
              const to = other(from.org);
              const sent = await send(world, '/auth/switch-organization', {
                method: 'POST',
                headers: { 'content-type': 'application/json', accept: 'application/json' },
                sameOrigin: true,
                cookies: { [cookieName]: from.value },
                body: JSON.stringify({ organizationId: world.org(to) }),
              });
              const body = sent.res.status === 200 ? await sent.json() : {};
              if (body.responseType === 'LOGIN_SUCCESSFUL' && sent.cookies[cookieName]) {
                held.push({
                  kind: 'cookie',
                  value: sent.cookies[cookieName]!,
                  org: to,
                  via: from.via,
                  chosen: from.chosen,
                  label: `switched session (${from.label})`,
                });
              }
              break;
            }
            case 'bearer': {
              const from = cookies()[o.cred % Math.max(1, cookies().length)];
              if (!from) break;
              const token = await accessTokenOf(world, from.value);
              if (token)
                held.push({
                  kind: 'bearer',
                  value: token,
                  org: from.org,
                  via: from.via,
                  chosen: from.chosen,
                  label: `access token of ${from.label}`,
                });
              break;
            }
            case 'outsideToken': {
              // Signed in at WorkOS by password without Gatehouse: a token Gatehouse cannot tie to a sign-in.
              const outside = await signInThroughEmulator(world.emulator, PEOPLE[o.who]!, o.org);
              held.push({
                kind: 'bearer',
                value: outside.accessToken,
                org: o.org,
                via: null,
                chosen: false,
                label: 'access token minted outside Gatehouse',
              });
              break;
            }
            case 'apiKey': {
              const from = cookies()[o.cred % Math.max(1, cookies().length)];
              if (!from) break;
              const sent = await apiCall(
                world,
                `/api/v1/organizations/${world.org(from.org)}/api-keys`,
                { cookie: from.value },
                { method: 'POST', body: { name: 'prop', role: 'member' } },
              );
              if (sent.res.status === 201) {
                const { secret } = (await sent.json()) as { secret: string };
                // A key records a connection: the one Gatehouse chose, else the organization's configured one.
                const via = from.via === from.org && (from.chosen || sso[from.org] !== 'off') ? from.via : null;
                held.push({
                  kind: 'api_key',
                  value: secret,
                  org: from.org,
                  via,
                  chosen: true,
                  label: `API key minted by ${from.label}`,
                });
              }
              break;
            }
          }
          await check(JSON.stringify(o));
        }
      }),
      { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? 20261130), endOnFailure: true },
    );
    console.log(
      `property: ${runs} runs, ${tried} credential checks, ${refusedAsRequired} refused as required, ${compliantAccepted} compliant accepted`,
    );
    assert.ok(compliantAccepted > 0, 'the property is not vacuous: credentials that meet the policy keep working');
  });
});
