import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Hono } from 'hono';
import { listen } from './serve.ts';

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
