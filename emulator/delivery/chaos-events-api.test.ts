import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkOS } from '@workos-inc/node';
import { startEmulator } from '../index.ts';

// The reliability contract end to end: with the chaos switches set through the control surface
// (10 % duplicates, reordering within windows of 50, 5 % of first attempts failing), every one
// of 10,000 events reaches the receiver at least once, and `GET /events` — the repair path a
// reconciler uses — lists each exactly once. The receiver is in-process (injected fetch) and
// retries back off in milliseconds, so this runs in a few seconds.

test('10,000 events under chaos: delivered at least once each, listed exactly once each', async (t) => {
  const receivedIds: string[] = [];
  const receiver: typeof fetch = async (_url, init) => {
    receivedIds.push((JSON.parse(String(init?.body)) as { id: string }).id);
    return new Response(null, { status: 200 });
  };
  const emulator = await startEmulator({
    seed: false,
    fetch: receiver,
    webhooks: { retry: { baseDelayMs: 1, factor: 2, maxAttempts: 8 }, concurrency: 8 },
  });
  t.after(() => emulator.close());
  const control = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
    return res.json() as Promise<any>;
  };
  await control('POST', '/webhook_endpoints', {
    endpoint_url: 'http://receiver.test/webhooks',
    events: ['dsync.user.updated'],
  });
  const { settings } = await control('PUT', '/_emulator/chaos', {
    seed: 2024,
    duplicateRate: 0.1,
    reorderWindow: 50,
    failFirstRate: 0.05,
  });
  assert.equal(settings.reorderWindow, 50);

  const emitted: string[] = [];
  for (let i = 0; i < 10_000; i++) {
    emitted.push(
      emulator.world.emit('dsync.user.updated', {
        object: 'directory_user',
        id: `directory_user_${i}`,
        state: 'active',
      }).id,
    );
  }
  await emulator.webhooks.idle();

  const counts = new Map<string, number>();
  for (const id of receivedIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  assert.equal(emitted.filter((id) => !counts.has(id)).length, 0, 'every event id delivered at least once');
  const duplicated = [...counts.values()].filter((n) => n > 1).length;
  assert.ok(duplicated > 800 && duplicated < 1200, `about 10 % delivered twice (${duplicated})`);
  const firstPositions = new Map<string, number>();
  receivedIds.forEach((id, i) => firstPositions.has(id) || firstPositions.set(id, i));
  const inversions = emitted.filter(
    (id, i) => i > 0 && firstPositions.get(id)! < firstPositions.get(emitted[i - 1]!)!,
  ).length;
  assert.ok(inversions > 1000, `deliveries were reordered (${inversions} inversions)`);
  const { stats } = (await (
    await fetch(`${emulator.url}/_emulator/chaos`, { headers: { authorization: `Bearer ${emulator.apiKey}` } })
  ).json()) as { stats: { failedAttempts: number; gaveUp: number } };
  assert.ok(stats.failedAttempts > 300, `first attempts failed (${stats.failedAttempts})`);
  assert.equal(stats.gaveUp, 0);

  const workos = new WorkOS(emulator.apiKey, { apiHostname: '127.0.0.1', port: emulator.port, https: false });
  const listed: string[] = [];
  let after: string | undefined;
  do {
    const page = await workos.events.listEvents({
      events: ['dsync.user.updated'],
      limit: 100,
      ...(after ? { after } : {}),
    });
    listed.push(...page.data.map((e) => e.id));
    after = page.listMetadata.after ?? undefined;
  } while (after);
  assert.equal(listed.length, emitted.length);
  assert.equal(new Set(listed).size, emitted.length, 'each event listed exactly once');
  assert.deepEqual(listed, emitted, 'oldest first, in emission order');
});

test('dropped deliveries are exactly the events only the Events API still has', async (t) => {
  const receivedIds = new Set<string>();
  const receiver: typeof fetch = async (_url, init) => {
    receivedIds.add((JSON.parse(String(init?.body)) as { id: string }).id);
    return new Response(null, { status: 204 });
  };
  const emulator = await startEmulator({
    seed: false,
    fetch: receiver,
    webhooks: { chaos: { seed: 99, dropRate: 0.3 } },
  });
  t.after(() => emulator.close());
  const res = await fetch(`${emulator.url}/webhook_endpoints`, {
    method: 'POST',
    headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint_url: 'http://receiver.test/webhooks', events: ['dsync.group.created'] }),
  });
  assert.equal(res.status, 201);
  for (let i = 0; i < 500; i++)
    emulator.world.emit('dsync.group.created', { object: 'directory_group', id: `directory_group_${i}` });
  await emulator.webhooks.idle();

  const workos = new WorkOS(emulator.apiKey, { apiHostname: '127.0.0.1', port: emulator.port, https: false });
  const listed: string[] = [];
  let after: string | undefined;
  do {
    const page = await workos.events.listEvents({
      events: ['dsync.group.created'],
      limit: 100,
      ...(after ? { after } : {}),
    });
    listed.push(...page.data.map((e) => e.id));
    after = page.listMetadata.after ?? undefined;
  } while (after);
  assert.equal(listed.length, 500);
  const missing = listed.filter((id) => !receivedIds.has(id));
  assert.equal(missing.length, emulator.webhooks.stats().dropped);
  assert.ok(missing.length > 100 && missing.length < 200, `about 30 % dropped (${missing.length})`);
});
