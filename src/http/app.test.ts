// The HTTP skeleton through app.request(): health, problem+json for every failure, request ids,
// body limits and malformed JSON. A tiny route is added per scenario where the app has none yet.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Writable } from 'node:stream';
import { z } from 'zod';
import { createLogger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import { openBarePgliteTestStore, openPgliteTestStore } from '../../test/support/stores.ts';
import { createHttpApp } from './app.ts';
import { readJson } from './json-body.ts';

const silent = createLogger('silent');

async function problem(res: Response) {
  assert.equal(res.headers.get('content-type'), 'application/problem+json');
  return (await res.json()) as { code: string; status: number; detail: string };
}

describe('HTTP skeleton', () => {
  let store: Store;
  before(async () => {
    store = await openPgliteTestStore();
  });
  after(() => store.close());

  it('answers /healthz and /readyz', async () => {
    const app = createHttpApp({ store, logger: silent });
    assert.equal((await app.request('/healthz')).status, 200);
    const ready = await app.request('/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), {
      status: 'ready',
      details: { applyBacklog: { pending: 0, failed: 0, oldestPendingSeconds: 0 } },
    });
  });

  it('answers /readyz 503 with a code when the database is not migrated', async () => {
    const bare = await openBarePgliteTestStore();
    try {
      const res = await createHttpApp({ store: bare, logger: silent }).request('/readyz');
      assert.equal(res.status, 503);
      assert.equal((await problem(res)).code, 'STORE_NOT_MIGRATED');
    } finally {
      await bare.close();
    }
  });

  it('answers an unknown route with a 404 problem and a request id', async () => {
    const res = await createHttpApp({ store, logger: silent }).request('/no/such/route');
    assert.equal(res.status, 404);
    const body = await problem(res);
    assert.equal(body.code, 'ROUTE_NOT_FOUND');
    assert.ok(res.headers.get('x-request-id'));
  });

  it('sends security headers', async () => {
    const res = await createHttpApp({ store, logger: silent }).request('/healthz');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.ok(res.headers.get('x-frame-options'));
  });

  function echoApp(maxBodyBytes?: number) {
    const app = createHttpApp({ store, logger: silent }, { maxBodyBytes });
    return app;
  }
  const echoSchema = z.strictObject({ name: z.string().min(1).max(50) });
  function withEcho(app: ReturnType<typeof echoApp>) {
    // Routes registered after createHttpApp still pass through its middleware and error handler.
    app.post('/echo', async (c) => c.json(await readJson(c, echoSchema)));
    return app;
  }

  const badBodies: [string, RequestInit, number, string][] = [
    [
      'malformed JSON',
      { body: '{"name":', headers: { 'content-type': 'application/json' } },
      400,
      'REQUEST_MALFORMED_JSON',
    ],
    ['wrong type', { body: '{"name":5}', headers: { 'content-type': 'application/json' } }, 422, 'REQUEST_INVALID'],
    [
      'unknown field',
      { body: '{"name":"a","admin":true}', headers: { 'content-type': 'application/json' } },
      422,
      'REQUEST_INVALID',
    ],
    [
      'not JSON at all',
      { body: 'name=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'REQUEST_UNSUPPORTED_MEDIA_TYPE',
    ],
  ];
  for (const [name, init, status, code] of badBodies) {
    it(`answers ${status} ${code} for a ${name} body`, async () => {
      const res = await withEcho(echoApp()).request('/echo', { method: 'POST', ...init });
      assert.equal(res.status, status);
      assert.equal((await problem(res)).code, code);
    });
  }

  it('accepts a good body', async () => {
    const res = await withEcho(echoApp()).request('/echo', {
      method: 'POST',
      body: '{"name":"ok"}',
      headers: { 'content-type': 'application/json' },
    });
    assert.deepEqual(await res.json(), { name: 'ok' });
  });

  it('answers 413 for an oversized body', async () => {
    const res = await withEcho(echoApp(64)).request('/echo', {
      method: 'POST',
      body: JSON.stringify({ name: 'x'.repeat(500) }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(res.status, 413);
    assert.equal((await problem(res)).code, 'REQUEST_TOO_LARGE');
  });

  it('hides the message of an unexpected error and logs it instead', async () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(String(chunk)), cb()) });
    const app = createHttpApp({ store, logger: createLogger('info', sink) });
    app.get('/boom', () => {
      throw new Error('db password is hunter2');
    });
    const res = await app.request('/boom');
    assert.equal(res.status, 500);
    const body = await problem(res);
    assert.equal(body.code, 'INTERNAL_ERROR');
    assert.doesNotMatch(JSON.stringify(body), /hunter2/);
    assert.ok(lines.some((l) => l.includes('unhandled error')));
  });
});
