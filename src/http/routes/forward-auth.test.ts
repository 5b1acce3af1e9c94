// GET /auth/verify in-process, property-based: over generated sequences of requests — valid,
// revoked or missing credentials, API calls and page navigations, forged identity headers, hostile
// X-Forwarded-Uri / X-Original-URI values — after every step: an allowed answer carries exactly the
// verified context's identity (never a forged one), a refusal carries none, and a sign-in redirect
// always points at Gatehouse's own sign-in with a same-origin returnTo path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Hono } from 'hono';
import { openPgliteTestStore } from '../../../test/support/stores.ts';
import { createLogger } from '../../logger.ts';
import { createHttpApp } from '../app.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import type { AuthContext } from '../../core/auth-context.ts';
import { AppError } from '../../core/errors.ts';
import { forwardAuthRoutes, IDENTITY_HEADERS, signInUrl } from './forward-auth.ts';

const PUBLIC_URL = 'https://id.example.com';
const ada: AuthContext = {
  principal: { type: 'user', userId: 'user_ada' },
  organizationId: 'org_acme',
  role: 'member',
  permissions: ['organization:read', 'members:read'],
  authMethod: 'session',
  sessionId: 'ses_1',
  isSuperAdmin: false,
};

function appFor(sessions: Map<string, AuthContext>): Hono {
  return forwardAuthRoutes({
    publicUrl: PUBLIC_URL,
    // The credential step stands in for the access verifier: a cookie value names a live session.
    authenticate: async (c) => {
      const value = /gatehouse_session=([^;]+)/.exec(c.req.header('cookie') ?? '')?.[1];
      if (value === undefined) throw new AppError('AUTH_REQUIRED', 'Sign in');
      const auth = sessions.get(value);
      if (!auth) throw new AppError('SESSION_REVOKED', 'The session was ended');
      return auth;
    },
  });
}

const hostileUri = fc.oneof(
  fc.constantFrom(
    '/notes?x=1',
    '//evil.example/x',
    '/\\evil.example',
    'https://evil.example/',
    '/%2F%2Fevil',
    '\t/x',
    '',
    '/a\nb',
  ),
  fc.string({ maxLength: 40 }),
  fc.webPath(),
);

const step = fc.record({
  credential: fc.constantFrom('live', 'revoked', 'none'),
  revokeFirst: fc.boolean(),
  navigation: fc.boolean(),
  uri: hostileUri,
  forwardedHeader: fc.constantFrom('x-forwarded-uri', 'x-original-uri'),
  nginx: fc.boolean(),
  forged: fc.boolean(),
});

describe('GET /auth/verify', () => {
  it('never passes a forged identity, and redirects only to its own sign-in with a same-origin path', async () => {
    const runs = Number(process.env.PROPERTY_RUNS ?? 60);
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 12 }), async (steps) => {
        const sessions = new Map<string, AuthContext>([['live', ada]]);
        const app = appFor(sessions);
        for (const s of steps) {
          if (s.revokeFirst) sessions.delete('live');
          const headers: Record<string, string> = { accept: s.navigation ? 'text/html' : 'application/json' };
          if (s.credential !== 'none') headers.cookie = `gatehouse_session=${s.credential}`;
          if (/^[\t\x20-\x7e]*$/.test(s.uri)) headers[s.forwardedHeader] = s.uri;
          if (s.forged)
            Object.assign(headers, { [IDENTITY_HEADERS.userId]: 'user_root', [IDENTITY_HEADERS.role]: 'admin' });
          const res = await app.request(`/auth/verify${s.nginx ? '?proxy=nginx' : ''}`, { headers });
          const live = s.credential === 'live' && sessions.has('live');
          if (live) {
            assert.equal(res.status, 200);
            assert.equal(res.headers.get(IDENTITY_HEADERS.userId), 'user_ada');
            assert.equal(res.headers.get(IDENTITY_HEADERS.role), 'member');
            assert.equal(res.headers.get(IDENTITY_HEADERS.permissions), 'organization:read members:read');
            continue;
          }
          for (const name of Object.values(IDENTITY_HEADERS)) assert.equal(res.headers.get(name), null);
          if (!s.navigation) {
            assert.equal(res.status, 401);
            continue;
          }
          const location = s.nginx ? res.headers.get('x-gatehouse-sign-in') : res.headers.get('location');
          assert.equal(res.status, s.nginx ? 401 : 302);
          const target = new URL(location!);
          assert.equal(target.origin + target.pathname, `${PUBLIC_URL}/auth/login`);
          const returnTo = target.searchParams.get('returnTo')!;
          assert.ok(returnTo.startsWith('/') && !returnTo.startsWith('//') && !returnTo.includes('\\'), returnTo);
          assert.equal(new URL(returnTo, PUBLIC_URL).origin, PUBLIC_URL);
        }
      }),
      { numRuns: runs, seed: Number(process.env.PROPERTY_SEED ?? 14) },
    );
  });

  it('keeps a same-origin path with its query and sends anything else back to /', () => {
    assert.equal(signInUrl(PUBLIC_URL, '/notes?tab=mine'), `${PUBLIC_URL}/auth/login?returnTo=%2Fnotes%3Ftab%3Dmine`);
    assert.equal(signInUrl(PUBLIC_URL, '//evil.example/'), `${PUBLIC_URL}/auth/login?returnTo=%2F`);
    assert.equal(signInUrl(PUBLIC_URL, undefined), `${PUBLIC_URL}/auth/login?returnTo=%2F`);
  });

  it('is not spent by the sign-in rate limit: a proxy asks once per request of every user', async () => {
    const store = await openPgliteTestStore();
    try {
      const signInRoutes = new Hono();
      signInRoutes.use('/auth/*', rateLimit({ burst: 2, perMinute: 1 }));
      signInRoutes.get('/auth/login', (c) => c.text('sign in'));
      const app = createHttpApp({ store, logger: createLogger('silent'), signInRoutes, authenticate: async () => ada });
      for (let i = 0; i < 5; i++) assert.equal((await app.request('/auth/verify')).status, 200);
      await app.request('/auth/login');
      await app.request('/auth/login');
      assert.equal((await app.request('/auth/login')).status, 429, 'the sign-in routes stay limited');
    } finally {
      await store.close();
    }
  });
});
