import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hono } from 'hono';
import { createFaultHooks, faultMiddleware } from './faults.ts';

function faultyApp() {
  const hooks = createFaultHooks();
  const app = new Hono();
  app.use('*', faultMiddleware(hooks));
  app.all('*', (c) => c.json({ ok: true }));
  return { hooks, app };
}

test('a hook answers the next N matching requests, then the real route answers again', async () => {
  const { hooks, app } = faultyApp();
  hooks.add({ method: 'get', path: '/users', status: 503, count: 2 });
  assert.equal((await app.request('/users')).status, 503);
  assert.equal((await app.request('/users', { method: 'POST' })).status, 200, 'other methods are untouched');
  assert.equal((await app.request('/users')).status, 503);
  assert.equal((await app.request('/users')).status, 200);
  assert.deepEqual(hooks.list(), []);
});

test('prefix paths and any-method hooks; 429 gets Retry-After; custom body and headers pass through', async () => {
  const { hooks, app } = faultyApp();
  hooks.add({ method: '*', path: '/user_management/*', status: 429 });
  const limited = await app.request('/user_management/users/x', { method: 'DELETE' });
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '1');
  assert.equal(((await limited.json()) as { code: string }).code, 'rate_limit_exceeded');
  hooks.add({ method: 'GET', path: '/x', status: 418, body: { teapot: true }, headers: { 'x-why': 'test' } });
  const custom = await app.request('/x');
  assert.equal(custom.headers.get('x-why'), 'test');
  assert.deepEqual(await custom.json(), { teapot: true });
});

test('latency-only hooks delay the real answer; the control surface is never faulted', async () => {
  const { hooks, app } = faultyApp();
  hooks.add({ method: 'GET', path: '/slow', latency_ms: 5 });
  const slow = await app.request('/slow');
  assert.equal(slow.status, 200);
  assert.deepEqual(await slow.json(), { ok: true });
  hooks.add({ method: '*', path: '/_emulator/*', status: 500 });
  assert.equal((await app.request('/_emulator/reset', { method: 'POST' })).status, 200);
  hooks.clear();
  assert.deepEqual(hooks.list(), []);
});
