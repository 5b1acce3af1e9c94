// Sessions on both engines: the cookie handle, expiry (idle sliding, absolute), throttled touch,
// refresh single-flight within a process, SSO enforcement at refresh, revocation and audit.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppError } from '../core/errors.ts';
import type { Store } from '../store/store.ts';
import { asSystem, inTenant } from '../store/tenant.ts';
import { testEngines } from '../../test/support/stores.ts';
import { countingRefresher, fakeAccessToken, orgWithMember, TEST_SECRET } from '../../test/support/access-fixtures.ts';
import { createSessionService, type SessionService } from './session-service.ts';

const MINUTE = 60_000;
const config = {
  PUBLIC_URL: 'https://auth.example.com',
  SESSION_IDLE_TIMEOUT_SECONDS: 3600,
  SESSION_ABSOLUTE_LIFETIME_SECONDS: 8 * 3600,
};

for (const engine of testEngines()) {
  describe(`sessions on ${engine.name}`, () => {
    let store: Store;
    let now = Date.parse('2026-01-01T00:00:00Z');
    const clock = () => now;
    const refresher = countingRefresher(clock);
    const enforced = new Set<string>();
    let sessions: SessionService;
    let org: { organizationId: string; userId: string };

    before(async () => {
      store = await engine.open();
      sessions = createSessionService({
        db: store.db,
        secrets: [TEST_SECRET],
        config,
        refresher,
        clock,
        signInPolicy: async (id) => ({ enabled: true, enforced: enforced.has(id), connectionId: 'conn_own' }),
      });
      org = await orgWithMember(store.db);
    });
    after(() => store?.close());

    const signIn = async (authMethod: 'password' | 'sso' = 'password', tokenLifetimeMs = 5 * MINUTE) =>
      inTenant(store.db, org.organizationId, async (tx) =>
        sessions.create(tx, {
          organizationId: org.organizationId,
          userId: org.userId,
          authMethod,
          role: 'admin',
          workosSessionId: 'session_wos_1',
          ...(authMethod === 'sso'
            ? { binding: { ssoConnectionId: 'conn_own', ssoOrganizationId: org.organizationId } }
            : {}),
          accessToken: await fakeAccessToken(now + tokenLifetimeMs),
          refreshToken: 'refresh-1',
        }),
      );

    it('issues a cookie under 200 bytes with __Host-, Secure, HttpOnly, SameSite=Lax, Path=/', async () => {
      const { cookieValue, setCookie } = await signIn();
      const pair = setCookie.split(';')[0]!;
      console.log(`session cookie: ${Buffer.byteLength(pair)} bytes (${Buffer.byteLength(cookieValue)} value)`);
      assert.ok(Buffer.byteLength(pair) < 200);
      assert.match(
        setCookie,
        /^__Host-gatehouse_session=ses_[0-9A-Z]{26}\.[\w-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax; Secure$/,
      );
      const plain = createSessionService({
        db: store.db,
        secrets: [TEST_SECRET],
        config: { ...config, PUBLIC_URL: 'http://localhost:3000' },
      });
      assert.equal(plain.cookie.name, 'gatehouse_session');
      assert.doesNotMatch(plain.cookie.clear(), /Secure/);
    });

    it('stores only a hash of the secret and encrypted tokens', async () => {
      const { sessionId, cookieValue } = await signIn();
      const row = await asSystem(store.db, 'test', (tx) =>
        tx.selectFrom('sessions').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow(),
      );
      const secret = cookieValue.split('.')[1]!;
      assert.ok(!JSON.stringify(row).includes(secret));
      assert.ok(!String(row.refresh_token_enc).includes('refresh-1'));
      assert.equal(row.organization_id, org.organizationId);
      assert.ok(row.key_id);
    });

    it('resolves a good cookie and refuses tampered, truncated and foreign ones', async () => {
      const { sessionId, cookieValue } = await signIn();
      const ok = await sessions.resolve(cookieValue);
      assert.ok(ok.ok && ok.session.id === sessionId);
      const [id, secret] = cookieValue.split('.') as [string, string];
      const flipped = secret[0] === 'A' ? `B${secret.slice(1)}` : `A${secret.slice(1)}`;
      for (const bad of [
        `${id}.${flipped}`,
        `${id}.`,
        id,
        '',
        `${id}.${secret}x`,
        `ses_00000000000000000000000000.${secret}`,
      ]) {
        assert.deepEqual(await sessions.resolve(bad), { ok: false, reason: 'SESSION_INVALID' }, bad);
      }
    });

    it('slides the idle timeout, writing last_seen_at at most once a minute, and ends at the absolute lifetime', async () => {
      const start = now;
      const { cookieValue } = await signIn();
      now += 30_000;
      const early = await sessions.resolve(cookieValue);
      assert.ok(early.ok);
      assert.equal(early.session.lastSeenAt.getTime(), start, 'no write within the minute');
      // Keep using it every 50 minutes: idle (60 min) never hits, absolute (8 h) does.
      for (let i = 0; i < 9; i++) {
        now += 50 * MINUTE;
        const r = await sessions.resolve(cookieValue);
        if (now - start >= 8 * 3600_000) {
          assert.deepEqual(r, { ok: false, reason: 'SESSION_EXPIRED' });
          break;
        }
        assert.ok(r.ok, `alive after ${(now - start) / MINUTE} min`);
        assert.equal(r.session.lastSeenAt.getTime(), now);
      }
      const idle = await signIn();
      now += 61 * MINUTE;
      assert.deepEqual(await sessions.resolve(idle.cookieValue), { ok: false, reason: 'SESSION_EXPIRED' });
    });

    it('refreshes a nearly expired access token once for concurrent callers and keeps a fresh one', async () => {
      const { cookieValue } = await signIn('password', 30_000);
      const r = await sessions.resolve(cookieValue);
      assert.ok(r.ok);
      const before = refresher.calls;
      const tokens = await Promise.all(Array.from({ length: 10 }, () => sessions.accessTokenFor(r.session)));
      assert.equal(refresher.calls - before, 1);
      assert.ok(tokens.every((t) => t.ok && t.accessToken === (tokens[0] as { accessToken: string }).accessToken));
      const again = await sessions.resolve(cookieValue);
      assert.ok(again.ok);
      assert.ok(again.session.accessTokenExpiresAt!.getTime() > now + 4 * MINUTE);
      await sessions.accessTokenFor(again.session);
      assert.equal(refresher.calls - before, 1, 'a fresh token needs no refresh');
    });

    it('ends a non-SSO session once the organization enforces SSO, at resolution and at refresh', async () => {
      const password = await signIn('password', 10_000);
      const refreshing = await signIn('password', 10_000);
      const sso = await signIn('sso', 10_000);
      // SSO, but through another organization's connection: not SSO for this one.
      const foreign = await inTenant(store.db, org.organizationId, async (tx) =>
        sessions.create(tx, {
          organizationId: org.organizationId,
          userId: org.userId,
          authMethod: 'sso',
          role: 'admin',
          workosSessionId: 'session_wos_2',
          accessToken: await fakeAccessToken(now + 10_000),
          refreshToken: 'refresh-2',
          binding: { ssoConnectionId: 'conn_other', ssoOrganizationId: 'org_other' },
        }),
      );
      const p = await sessions.resolve(password.cookieValue);
      const r = await sessions.resolve(refreshing.cookieValue);
      assert.ok(p.ok && r.ok);
      enforced.add(org.organizationId);
      try {
        // A request already holding the resolved session meets enforcement at its refresh.
        assert.deepEqual(await sessions.accessTokenFor(r.session), { ok: false, reason: 'SSO_REQUIRED' });
        // Any new request meets it at resolution.
        assert.deepEqual(await sessions.resolve(password.cookieValue), { ok: false, reason: 'SSO_REQUIRED' });
        assert.deepEqual(await sessions.resolve(foreign.cookieValue), { ok: false, reason: 'SSO_REQUIRED' });
        const s = await sessions.resolve(sso.cookieValue);
        assert.ok(s.ok);
        assert.equal((await sessions.accessTokenFor(s.session)).ok, true);
        assert.deepEqual(await sessions.resolve(refreshing.cookieValue), { ok: false, reason: 'SSO_REQUIRED' });
      } finally {
        enforced.delete(org.organizationId);
      }
    });

    it('ends the session when the provider refuses the refresh token', async () => {
      const failing = createSessionService({
        db: store.db,
        secrets: [TEST_SECRET],
        config,
        clock,
        refresher: {
          refresh: async () => {
            throw new Error('invalid_grant');
          },
        },
      });
      const { cookieValue } = await inTenant(store.db, org.organizationId, async (tx) =>
        failing.create(tx, {
          organizationId: org.organizationId,
          userId: org.userId,
          authMethod: 'password',
          role: 'admin',
          accessToken: await fakeAccessToken(now),
          refreshToken: 'r',
        }),
      );
      const r = await failing.resolve(cookieValue);
      assert.ok(r.ok);
      assert.deepEqual(await failing.accessTokenFor(r.session), { ok: false, reason: 'SESSION_REVOKED' });
      assert.deepEqual(await failing.resolve(cookieValue), { ok: false, reason: 'SESSION_REVOKED' });
    });

    it('keeps a session through a provider outage within the grace, warns once, backs off, and ends the grace', async () => {
      const warnings: object[] = [];
      let calls = 0;
      let down = true;
      const outage = createSessionService({
        db: store.db,
        secrets: [TEST_SECRET],
        config: { ...config, SESSION_PROVIDER_OUTAGE_GRACE_SECONDS: 600 },
        clock,
        logger: { warn: (obj) => void warnings.push(obj) },
        refresher: {
          refresh: async () => {
            calls++;
            if (down) throw new AppError('PROVIDER_UNAVAILABLE', 'unreachable', { retryable: true });
            return { accessToken: await fakeAccessToken(now + 5 * MINUTE), refreshToken: 'r2' };
          },
        },
      });
      const { cookieValue } = await inTenant(store.db, org.organizationId, async (tx) =>
        outage.create(tx, {
          organizationId: org.organizationId,
          userId: org.userId,
          authMethod: 'password',
          role: 'admin',
          accessToken: await fakeAccessToken(now),
          refreshToken: 'r',
        }),
      );
      const token = async () => {
        const r = await outage.resolve(cookieValue);
        assert.ok(r.ok);
        return (await outage.accessTokenFor(r.session)).ok;
      };
      const start = now;
      try {
        assert.equal(await token(), true, 'first failure: kept');
        assert.equal(calls, 1);
        now += 1000;
        assert.equal(await token(), true, 'backing off: kept without calling the provider');
        assert.equal(calls, 1);
        now = start + 5 * MINUTE;
        assert.equal(await token(), true);
        assert.equal(calls, 2, 'retried after the backoff');
        assert.equal(warnings.length, 1, 'warned once for the session');
        assert.ok(!JSON.stringify(warnings).includes('eyJ'), 'no token in the warning');
        now = start + 11 * MINUTE;
        await assert.rejects(
          token(),
          (e: unknown) => e instanceof AppError && e.code === 'PROVIDER_UNAVAILABLE',
          'past the grace',
        );
        down = false;
        now += MINUTE;
        assert.equal(await token(), true, 'the provider is back: refreshed');
        const row = await asSystem(store.db, 'test', (tx) =>
          tx
            .selectFrom('sessions')
            .select(['provider_unreachable_since', 'revoked_at'])
            .where('organization_id', '=', org.organizationId)
            .orderBy('id', 'desc')
            .executeTakeFirstOrThrow(),
        );
        assert.equal(row.provider_unreachable_since, null);
        assert.equal(row.revoked_at, null);
      } finally {
        now = start;
      }
    });

    it("revokes one session and all of a user's sessions, audited", async () => {
      const a = await signIn();
      const b = await signIn();
      const admin = { type: 'user' as const, id: 'user_admin' };
      assert.equal(await sessions.revoke(a.sessionId, admin), true);
      assert.equal(await sessions.revoke(a.sessionId, admin), false, 'already revoked');
      assert.deepEqual(await sessions.resolve(a.cookieValue), { ok: false, reason: 'SESSION_REVOKED' });
      assert.ok(
        (await sessions.list({ organizationId: org.organizationId, userId: org.userId })).some(
          (s) => s.id === b.sessionId,
        ),
      );
      assert.ok((await sessions.revokeAllForUser(org.userId, undefined, admin)) >= 1);
      assert.deepEqual(await sessions.list({ userId: org.userId }), []);
      const audit = await inTenant(store.db, org.organizationId, (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['type', 'target_id', 'data'])
          .where('type', 'like', 'session.%')
          .execute(),
      );
      assert.ok(audit.some((e) => e.type === 'session.revoked' && e.target_id === a.sessionId));
      assert.ok(audit.some((e) => e.type === 'session.created' && e.target_id === b.sessionId));
      assert.ok(!JSON.stringify(audit).includes('refresh-1'));
    });
  });
}
