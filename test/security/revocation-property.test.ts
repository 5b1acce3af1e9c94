// Revocation is immediate (DESIGN.md §3.4), as a property over generated operation sequences on
// two `gatehouse serve` processes sharing one PostgreSQL, in front of the emulator. Operations:
// sign-ins (sessions), API key creation (admin or a custom role), revoking sessions and keys
// through the API of either process, deactivating a membership through either process, narrowing
// the custom role through either process, and WorkOS `session.revoked` events delivered to either
// process's webhook. Every credential is warmed into both processes' caches before it is revoked.
// After every step:
//   - on the process that made the change, the very next request refuses every credential it
//     revoked (no waiting: the answer of the revoking call came back first);
//   - on the other process (and on both for provider events, which apply after the 200), the
//     refusal arrives within a deadline; the worst delay is printed.
//   - nothing revoked earlier is accepted again, on either process.
// PostgreSQL only: LISTEN/NOTIFY between processes is the point.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { createAccessVerifier } from '../../src/access/access-verifier.ts';
import { createApiKey } from '../../src/access/api-keys.ts';
import type { AuthContext } from '../../src/core/auth-context.ts';
import { createSessionService, type SessionService } from '../../src/sessions/session-service.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { inTenant } from '../../src/store/tenant.ts';
import { signWebhookPayload } from '../../src/webhooks/signature.ts';
import { TEST_SECRET } from '../support/access-fixtures.ts';
import { mirrorEmulator, orgIdByName, userIdByEmail } from '../support/emulator-sign-in.ts';
import { startGatehouseProcess, type GatehouseProcess } from '../support/gatehouse-process.ts';
import { requirePostgres } from '../support/requirements.ts';
import { createTestDatabase } from '../support/stores.ts';
import { createPermissionCatalogue } from '../../src/core/permission-catalogue.ts';

const RUNS = Number(process.env.PROPERTY_RUNS ?? 6);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261130);
const WEBHOOK_SECRET = 'whsec_revocation_property_test';
const OTHER_DEADLINE_MS = 5000;
const config = {
  PUBLIC_URL: 'http://127.0.0.1:3000',
  SESSION_IDLE_TIMEOUT_SECONDS: 3600,
  SESSION_ABSOLUTE_LIFETIME_SECONDS: 86400,
};

type Credential =
  | { kind: 'session'; id: string; userId: string; cookie: string; workosSessionId: string }
  | { kind: 'key'; id: string; secret: string; role: 'admin' | 'auditor' };

type Op =
  | { op: 'signIn'; who: 'grace' | 'sam' }
  | { op: 'createKey'; role: 'admin' | 'auditor' }
  | { op: 'revokeSession'; pick: number; via: 0 | 1 }
  | { op: 'revokeKey'; pick: number; via: 0 | 1 }
  | { op: 'providerRevoke'; pick: number; via: 0 | 1 }
  | { op: 'deactivate'; via: 0 | 1 }
  | { op: 'narrowRole'; via: 0 | 1 };

const via = fc.constantFrom<0 | 1>(0, 1);
const pick = fc.nat({ max: 1000 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('signIn' as const), who: fc.constantFrom<'grace' | 'sam'>('grace', 'sam') }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      op: fc.constant('createKey' as const),
      role: fc.constantFrom<'admin' | 'auditor'>('admin', 'auditor'),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('revokeSession' as const), pick, via }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('revokeKey' as const), pick, via }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('providerRevoke' as const), pick, via }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('deactivate' as const), via }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('narrowRole' as const), via }) },
);

describe('revocation is immediate: generated sequences over two processes', {
  skip: requirePostgres('two processes share one PostgreSQL'),
}, () => {
  let emulator: RunningEmulator;
  let database: { url: string; drop(): Promise<void> };
  let store: Store;
  let servers: GatehouseProcess[] = [];
  let sessions: SessionService;
  let orgId: string;
  let creator: AuthContext;
  let operatorKey: string;
  const delays: number[] = [];
  const worst = new Map<string, number>();
  const done = new Map<string, number>();
  let refusedAtOnce = 0;

  before(async () => {
    [emulator, database] = await Promise.all([startEmulator(), createTestDatabase()]);
    store = await openStore({ engine: 'postgres', url: database.url, poolSize: 4 });
    await mirrorEmulator(store.db, emulator);
    const env = {
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '6',
      GATEHOUSE_SECRET: TEST_SECRET,
      PUBLIC_URL: config.PUBLIC_URL,
      WORKOS_WEBHOOK_SECRET: WEBHOOK_SECRET,
      RECONCILE_INTERVAL_SECONDS: '0',
      WORKOS_API_KEY: emulator.apiKey,
      WORKOS_CLIENT_ID: emulator.clientId,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: String(emulator.port),
      WORKOS_API_HTTPS: 'false',
      // Probes say which client they are (X-Forwarded-For from this trusted hop): see `probe`.
      TRUSTED_PROXIES: '127.0.0.1/32',
    };
    servers = await Promise.all([startGatehouseProcess(env), startGatehouseProcess(env)]);
    orgId = orgIdByName(emulator, 'Globex');
    sessions = createSessionService({ db: store.db, secrets: [TEST_SECRET], config });
    const grace = await newSession('grace');
    creator = await createAccessVerifier({ db: store.db, sessions }).verifyCredential({ cookie: grace.cookie });
    operatorKey = (
      await inTenant(store.db, orgId, (tx) =>
        createApiKey(tx, {
          catalogue: createPermissionCatalogue(),
          creator,
          name: 'operator',
          role: 'admin',
          ownership: 'organization',
        }),
      )
    ).secret;
    const role = await call(0, 'POST', `/api/v1/organizations/${orgId}/roles`, {
      slug: 'auditor',
      name: 'Auditor',
      description: 'reads the audit trail',
      permissions: ['audit:read', 'members:read'],
    });
    assert.equal(role.status, 201, await role.text());
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await store?.close();
    await database?.drop();
    await emulator?.close();
  });

  function call(server: number, method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${servers[server]!.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${operatorKey}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async function newSession(who: 'grace' | 'sam'): Promise<Extract<Credential, { kind: 'session' }>> {
    const userId = userIdByEmail(emulator, `${who}@globex.test`);
    const workosSessionId = `session_${randomBytes(8).toString('hex')}`;
    const created = await inTenant(store.db, orgId, (tx) =>
      sessions.create(tx, { organizationId: orgId, userId, authMethod: 'password', role: 'admin', workosSessionId }),
    );
    return { kind: 'session', id: created.sessionId, userId, cookie: created.cookieValue, workosSessionId };
  }

  /**
   * Each probe comes from its own client address: re-probing revoked keys must not spend one
   * address's failed-key budget, or a 429 from the limiter would stand in for the verdict.
   */
  let probes = 0;
  const probeSource = () => `10.${(++probes >> 16) & 255}.${(probes >> 8) & 255}.${probes & 255}`;
  async function verdict(res: Response): Promise<'accepted' | 'refused'> {
    const body = await res.text();
    if (res.status === 200) return 'accepted';
    if (res.status === 401 || res.status === 403) return 'refused';
    throw new Error(`a probe answered ${res.status}, neither accepted nor refused: ${body}`);
  }

  /** 'accepted' when the credential still works for what it was revoked from. */
  async function probe(server: number, c: Credential, auditorNarrowed: boolean): Promise<'accepted' | 'refused'> {
    const source = { 'x-forwarded-for': probeSource() };
    if (c.kind === 'session') {
      const res = await fetch(`${servers[server]!.url}/api/v1/me`, {
        headers: { cookie: `gatehouse_session=${c.cookie}`, ...source },
      });
      return verdict(res);
    }
    // An auditor key narrowed away from audit:read is probed on the audit trail; others on /me.
    const path = c.role === 'auditor' && auditorNarrowed ? `/api/v1/organizations/${orgId}/audit-events` : '/api/v1/me';
    const res = await fetch(`${servers[server]!.url}${path}`, {
      headers: { authorization: `Bearer ${c.secret}`, ...source },
    });
    return verdict(res);
  }

  async function refusedWithin(server: number, c: Credential, narrowed: boolean, started: number): Promise<number> {
    for (;;) {
      if ((await probe(server, c, narrowed)) === 'refused') return performance.now() - started;
      if (performance.now() - started > OTHER_DEADLINE_MS) return Infinity;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  let samDeactivated = false;
  const samMembership = () => {
    const sam = userIdByEmail(emulator, 'sam@globex.test');
    return [...emulator.world.memberships.values()].find((m) => m.user_id === sam && m.organization_id === orgId)!.id;
  };

  it(`nothing revoked is accepted afterwards (${RUNS} generated sequences)`, async () => {
    let steps = 0;
    let tried = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 6, maxLength: 14 }), async (ops) => {
        const live: Credential[] = [];
        const revoked: { c: Credential; narrowed: boolean }[] = [];
        let narrowed = false;
        const setAuditor = async (server: 0 | 1, canRead: boolean) => {
          const res = await call(server, 'PATCH', `/api/v1/organizations/${orgId}/roles/auditor`, {
            permissions: canRead ? ['audit:read', 'members:read'] : ['members:read'],
          });
          assert.equal(res.status, 200, await res.text());
        };
        await setAuditor(0, true); // each sequence starts from a role that can read the trail
        // ...and with Sam active: an earlier sequence may have deactivated him. Reactivation gives
        // back the membership, never the credentials deactivation ended.
        if (samDeactivated) {
          const res = await call(0, 'POST', `/api/v1/organizations/${orgId}/members/${samMembership()}/reactivate`);
          assert.equal(res.status, 200, await res.text());
          samDeactivated = false;
        }
        for (const op of ops) {
          steps++;
          const justRevoked: Credential[] = [];
          let by: 0 | 1 | null = null; // null: a provider event, applied after its 200
          let started = performance.now(); // provider events: from delivery; API calls: from their answer
          switch (op.op) {
            case 'signIn': {
              const s = await newSession(op.who);
              if (op.who === 'sam' && samDeactivated) {
                // A session written for a deactivated member (as a sign-in racing the deactivation
                // would) is refused, and stays refused like everything revoked.
                for (const server of [0, 1])
                  assert.equal(await probe(server, s, narrowed), 'refused', 'a deactivated member has no session');
                revoked.push({ c: s, narrowed });
                break;
              }
              live.push(s);
              for (const server of [0, 1])
                assert.equal(await probe(server, s, narrowed), 'accepted', 'a new session works on both');
              break;
            }
            case 'createKey': {
              const { secret, apiKey: key } = await inTenant(store.db, orgId, (tx) =>
                createApiKey(tx, {
                  catalogue: createPermissionCatalogue(),
                  creator,
                  name: `k${steps}`,
                  role: op.role,
                  ownership: 'organization',
                }),
              );
              const k: Credential = { kind: 'key', id: key.id, secret, role: op.role };
              live.push(k);
              for (const server of [0, 1])
                assert.equal(await probe(server, k, false), 'accepted', 'a new key works on both');
              break;
            }
            case 'revokeSession':
            case 'revokeKey':
            case 'providerRevoke': {
              const kind = op.op === 'revokeKey' ? 'key' : 'session';
              const candidates = live.filter((c) => c.kind === kind);
              if (candidates.length === 0) continue;
              const c = candidates[op.pick % candidates.length]!;
              for (const server of [0, 1])
                assert.equal(await probe(server, c, narrowed), 'accepted', 'cached on both before');
              if (op.op === 'providerRevoke') {
                const s = c as Extract<Credential, { kind: 'session' }>;
                const body = JSON.stringify({
                  id: `event_${Date.now()}${randomBytes(4).toString('hex')}`,
                  event: 'session.revoked',
                  created_at: new Date().toISOString(),
                  data: { id: s.workosSessionId, user_id: s.userId, organization_id: orgId },
                });
                const res: Response = await fetch(`${servers[op.via]!.url}/webhooks/workos`, {
                  method: 'POST',
                  headers: {
                    'content-type': 'application/json',
                    'workos-signature': signWebhookPayload(body, WEBHOOK_SECRET),
                  },
                  body,
                });
                assert.equal(res.status, 200, await res.text());
              } else {
                by = op.via;
                const path = kind === 'key' ? `api-keys/${c.id}` : `sessions/${c.id}`;
                const res = await call(op.via, 'DELETE', `/api/v1/organizations/${orgId}/${path}`);
                assert.equal(res.status, 204, await res.text());
              }
              live.splice(live.indexOf(c), 1);
              justRevoked.push(c);
              break;
            }
            case 'deactivate': {
              const sam = userIdByEmail(emulator, 'sam@globex.test');
              const samSessions = live.filter((c) => c.kind === 'session' && c.userId === sam);
              if (samSessions.length === 0) continue;
              for (const c of samSessions)
                for (const server of [0, 1]) assert.equal(await probe(server, c, narrowed), 'accepted');
              by = op.via;
              const res = await call(
                op.via,
                'POST',
                `/api/v1/organizations/${orgId}/members/${samMembership()}/deactivate`,
              );
              assert.equal(res.status, 200, await res.text());
              samDeactivated = true;
              for (const c of samSessions) live.splice(live.indexOf(c), 1);
              justRevoked.push(...samSessions);
              break;
            }
            case 'narrowRole': {
              const auditors = live.filter((c) => c.kind === 'key' && c.role === 'auditor');
              if (narrowed || auditors.length === 0) continue;
              for (const c of auditors)
                for (const server of [0, 1])
                  assert.equal(await probe(server, c, true), 'accepted', 'auditor reads the trail on both before');
              by = op.via;
              await setAuditor(op.via, false);
              narrowed = true;
              // The keys stay live for /me; what they lost is the audit trail.
              justRevoked.push(...auditors);
              break;
            }
          }
          done.set(op.op, (done.get(op.op) ?? 0) + 1);
          if (by !== null) started = performance.now();
          for (const c of justRevoked) {
            const entry = { c, narrowed: op.op === 'narrowRole' ? true : narrowed };
            revoked.push(entry);
            if (by !== null) {
              tried++;
              const verdict = await probe(by, c, entry.narrowed);
              if (verdict === 'accepted') accepted++;
              else refusedAtOnce++;
              assert.equal(
                verdict,
                'refused',
                `${op.op}: the revoking process accepted ${c.kind} ${c.id} on its next request`,
              );
            }
            for (const server of by === null ? [0, 1] : [1 - by]) {
              const delay = await refusedWithin(server, c, entry.narrowed, started);
              assert.ok(
                delay !== Infinity,
                `${op.op}: process ${server} still accepts ${c.kind} ${c.id} after ${OTHER_DEADLINE_MS} ms`,
              );
              delays.push(delay);
              worst.set(op.op, Math.max(worst.get(op.op) ?? 0, Math.round(delay)));
            }
          }
          // Nothing revoked before comes back, on either process.
          for (const { c, narrowed: n } of revoked) {
            if (c.kind === 'key' && c.role === 'auditor' && n && !narrowed) continue; // widened again: the trail is readable by design
            for (const server of [0, 1]) {
              tried++;
              if ((await probe(server, c, n)) === 'accepted') accepted++;
            }
          }
          assert.equal(accepted, 0, `after ${op.op}`);
        }
        if (narrowed) await setAuditor(0, true);
        // Sam comes back for the next sequence (reactivation is not checked: it grants, not revokes).
        const sam = userIdByEmail(emulator, 'sam@globex.test');
        const membership = [...emulator.world.memberships.values()].find(
          (m) => m.user_id === sam && m.organization_id === orgId,
        )!;
        if (membership.status !== 'active')
          assert.equal(
            (await call(0, 'POST', `/api/v1/organizations/${orgId}/members/${membership.id}/reactivate`)).status,
            200,
          );
      }),
      {
        numRuns: RUNS,
        seed: SEED,
        endOnFailure: true,
        // One hand-written sequence that carries out every kind of operation, on both processes.
        examples: [
          [
            [
              { op: 'signIn', who: 'grace' },
              { op: 'signIn', who: 'sam' },
              { op: 'signIn', who: 'grace' },
              { op: 'createKey', role: 'auditor' },
              { op: 'createKey', role: 'admin' },
              { op: 'revokeSession', pick: 0, via: 0 },
              { op: 'revokeKey', pick: 1, via: 1 },
              { op: 'providerRevoke', pick: 1, via: 1 },
              { op: 'narrowRole', via: 0 },
              { op: 'signIn', who: 'sam' },
              { op: 'deactivate', via: 1 },
            ],
          ],
        ],
      },
    );
    const sorted = [...delays].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    console.log(
      `revocation property: ${RUNS} sequences, ${steps} steps; revoking process refused ${refusedAtOnce} of ${refusedAtOnce} at once; ` +
        `other process: ${delays.length} refusals, median ${median.toFixed(0)} ms, max ${(sorted.at(-1) ?? 0).toFixed(0)} ms; tried ${tried} accepted ${accepted}`,
    );
    console.log(
      `revocation property: operations carried out ${JSON.stringify(Object.fromEntries(done))}; worst delay (ms) on the other process ${JSON.stringify(Object.fromEntries(worst))}`,
    );
    assert.equal(accepted, 0);
  });
});
