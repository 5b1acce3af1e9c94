// A tiny app per scenario; header permutations through app.request(), as hono's own CSRF tests do.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { createErrorHandler } from '../error-handler.ts';
import { createLogger } from '../../logger.ts';
import { csrf } from './csrf.ts';
import { rateLimit } from './rate-limit.ts';

function appWith(mw: ReturnType<typeof csrf>) {
  const app = new Hono();
  app.use(mw);
  app.post('/change', (c) => c.text('changed'));
  app.get('/read', (c) => c.text('read'));
  app.onError(createErrorHandler(createLogger('silent')));
  return app;
}

test('cookie-carrying POSTs must come from our origin', async () => {
  const app = appWith(csrf({ publicUrl: 'https://auth.example.com' }));
  const post = (headers: Record<string, string>) =>
    app.request('https://auth.example.com/change', { method: 'POST', headers });
  const cases: Array<[Record<string, string>, number]> = [
    [{ cookie: 's=1', 'sec-fetch-site': 'same-origin' }, 200],
    [{ cookie: 's=1', origin: 'https://auth.example.com' }, 200],
    [{ cookie: 's=1', 'sec-fetch-site': 'cross-site', origin: 'https://auth.example.com' }, 403],
    [{ cookie: 's=1', 'sec-fetch-site': 'same-site' }, 403],
    [{ cookie: 's=1', 'sec-fetch-site': 'none' }, 403],
    [{ cookie: 's=1', origin: 'https://evil.example' }, 403],
    [{ cookie: 's=1', origin: 'https://auth.example.com.evil.example' }, 403],
    [{ cookie: 's=1', origin: 'null' }, 403],
    [{ cookie: 's=1' }, 403],
    [{ origin: 'https://evil.example' }, 200], // no cookie: nothing to ride on (bearer clients, webhooks)
  ];
  for (const [headers, status] of cases) {
    const res = await post(headers);
    assert.equal(res.status, status, JSON.stringify(headers));
    if (status === 403) assert.equal(((await res.json()) as { code: string }).code, 'AUTH_CSRF_REJECTED');
  }
  assert.equal(
    (await app.request('https://auth.example.com/read', { headers: { cookie: 's=1', origin: 'https://evil.example' } }))
      .status,
    200,
    'safe methods pass',
  );
});

test('without PUBLIC_URL the request origin is ours', async () => {
  const app = appWith(csrf());
  assert.equal(
    (
      await app.request('http://127.0.0.1:3000/change', {
        method: 'POST',
        headers: { cookie: 'a=b', origin: 'http://127.0.0.1:3000' },
      })
    ).status,
    200,
  );
  assert.equal(
    (
      await app.request('http://127.0.0.1:3000/change', {
        method: 'POST',
        headers: { cookie: 'a=b', origin: 'http://127.0.0.1:4000' },
      })
    ).status,
    403,
    'another port is another origin',
  );
});

test('the /auth rate limit answers 429 with Retry-After per source', async () => {
  let now = 0;
  const app = new Hono();
  app.use(rateLimit({ burst: 3, perMinute: 6, keyOf: (c) => c.req.header('x-test-ip') ?? '?', clock: () => now }));
  app.get('/auth/login', (c) => c.text('ok'));
  app.onError(createErrorHandler(createLogger('silent')));
  const hit = (ip: string) => app.request('/auth/login', { headers: { 'x-test-ip': ip } });
  for (let i = 0; i < 3; i++) assert.equal((await hit('10.0.0.1')).status, 200);
  const limited = await hit('10.0.0.1');
  assert.equal(limited.status, 429);
  assert.equal(((await limited.json()) as { code: string }).code, 'RATE_LIMITED');
  assert.equal(limited.headers.get('retry-after'), '10');
  assert.equal((await hit('10.0.0.2')).status, 200, 'another source is not affected');
  now += 10_000;
  assert.equal((await hit('10.0.0.1')).status, 200, 'the bucket refills');
});
