import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Hono } from 'hono';
import { bindPort, listen } from './serve.ts';

it('close() stops accepting but lets an in-flight request finish', async () => {
  const app = new Hono();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let entered!: () => void;
  const inside = new Promise<void>((r) => (entered = r));
  app.get('/slow', async (c) => {
    entered();
    await gate;
    return c.text('finished');
  });
  const server = await listen(app, { port: 0, host: '127.0.0.1' });
  const inflight = fetch(`${server.url}/slow`);
  await inside;
  const closed = server.close(5_000);
  await assert.rejects(fetch(`${server.url}/slow`, { signal: AbortSignal.timeout(2_000) }));
  release();
  const res = await inflight;
  assert.equal(await res.text(), 'finished');
  await closed;
});

it('answers a request that arrived before the app, once the app is there', async () => {
  const bound = await bindPort({ port: 0, host: '127.0.0.1' });
  const early = fetch(`${bound.url}/hello`, { signal: AbortSignal.timeout(30_000) });
  while (bound.waiting === 0) await new Promise((resolve) => setImmediate(resolve));
  const app = new Hono();
  app.get('/hello', (c) => c.text('served'));
  const server = bound.serve(app);
  const res = await early;
  assert.equal(res.status, 200);
  assert.equal(await res.text(), 'served');
  assert.equal(bound.waiting, 0);
  await server.close(1_000);
});

it('answers 503 to a request still waiting when the process stops before its app came', async () => {
  const bound = await bindPort({ port: 0, host: '127.0.0.1' });
  const early = fetch(`${bound.url}/`, { signal: AbortSignal.timeout(30_000) });
  while (bound.waiting === 0) await new Promise((resolve) => setImmediate(resolve));
  const closed = bound.close(1_000);
  const res = await early;
  assert.equal(res.status, 503);
  assert.equal(res.headers.get('retry-after'), '1');
  assert.equal(((await res.json()) as { code: string }).code, 'SERVER_STOPPING');
  await closed;
});
