// A database outage answers 503 STORE_UNAVAILABLE (retryable), not a 500: the failure is a real
// refused connection from node-postgres to a port nothing listens on, thrown through the one HTTP
// error handler.
import assert from 'node:assert/strict';
import { freePort } from './support/ports.ts';
import { describe, it } from 'node:test';
import { Hono } from 'hono';
import pg from 'pg';
import { createErrorHandler } from '../src/http/error-handler.ts';
import { createLogger } from '../src/logger.ts';

/** A port nobody listens on (one chosen free, outside the range the kernel hands out by itself). */
const closedPort = freePort;

describe('the HTTP error handler', () => {
  it('answers 503 STORE_UNAVAILABLE when the database cannot be reached', async () => {
    const pool = new pg.Pool({
      connectionString: `postgres://nobody@127.0.0.1:${await closedPort()}/none`,
      connectionTimeoutMillis: 2000,
    });
    const app = new Hono();
    app.onError(createErrorHandler(createLogger('silent')));
    app.get('/rows', async (c) => c.json((await pool.query('SELECT 1')).rows));
    try {
      const res = await app.request('/rows');
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('content-type'), 'application/problem+json');
      const body = (await res.json()) as { code: string; detail: string };
      assert.equal(body.code, 'STORE_UNAVAILABLE');
      assert.doesNotMatch(body.detail, /127\.0\.0\.1|nobody/, 'the problem reveals no connection detail');
    } finally {
      await pool.end();
    }
  });

  it('still answers 500 INTERNAL_ERROR for a query the database refused', async () => {
    const app = new Hono();
    app.onError(createErrorHandler(createLogger('silent')));
    app.get('/boom', () => {
      throw Object.assign(new Error('syntax error at or near "SELEC"'), { code: '42601' });
    });
    const res = await app.request('/boom');
    assert.equal(res.status, 500);
    assert.equal(((await res.json()) as { code: string }).code, 'INTERNAL_ERROR');
  });
});
