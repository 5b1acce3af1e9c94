import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WorkOS } from '@workos-inc/node';
import { startEmulator } from '../index.ts';
import { replayEntra, replayOkta } from './sequences.ts';
import { scimClient } from './testing.ts';
import { createEventValidator } from '../testing/event-schema.ts';

// End to end over HTTP: a running emulator, Okta- and Entra-style SCIM traffic against a
// directory created through the control API, the resulting dsync events received as signed
// webhooks by a tiny local receiver (verified with the SDK), and the same events, in emission
// order, from `GET /events` through the SDK. Webhooks leave in parallel and, as with WorkOS, in no
// promised order; event ids grow with emission, so sorting by id recovers it.

const DSYNC_TYPES = [
  'dsync.activated',
  'dsync.deleted',
  'dsync.user.created',
  'dsync.user.updated',
  'dsync.user.deleted',
  'dsync.group.created',
  'dsync.group.updated',
  'dsync.group.deleted',
  'dsync.group.user_added',
  'dsync.group.user_removed',
] as const;

async function openReceiver() {
  const received: { body: string; signature: string }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['workos-signature']) });
    res.writeHead(200).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/workos`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

test('Okta and Entra SCIM traffic arrives as signed dsync webhooks and through GET /events, in order', async (t) => {
  const receiver = await openReceiver();
  t.after(receiver.close);
  const emulator = await startEmulator({ seed: false, webhooks: { retry: { baseDelayMs: 5 } } });
  t.after(() => emulator.close());
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emulator.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
    return res.json() as Promise<any>;
  };
  const workos = new WorkOS(emulator.apiKey, { apiHostname: '127.0.0.1', port: emulator.port, https: false });

  const org = await workos.organizations.createOrganization({
    name: 'Acme',
    domainData: [{ domain: 'acme.test', state: 'verified' as never }],
  });
  const endpoint = await api('POST', '/webhook_endpoints', { endpoint_url: receiver.url, events: [...DSYNC_TYPES] });
  const created = await api('POST', '/_emulator/directories', { organization_id: org.id, type: 'okta scim v2.0' });
  assert.equal(created.scim_url, `${emulator.url}/scim/v2/${created.directory.id}`);

  const scim = scimClient((url, init) => fetch(url, init), created.scim_url, created.scim_token);
  const expected = ['dsync.activated', ...(await replayOkta(scim)), ...(await replayEntra(scim))];
  await emulator.webhooks.idle();

  // Webhooks: every one verifies with the SDK, each event once, nothing else was sent.
  const delivered = [];
  for (const { body, signature } of receiver.received) {
    delivered.push(
      await workos.webhooks.constructEvent({
        payload: JSON.parse(body),
        sigHeader: signature,
        secret: endpoint.secret,
      }),
    );
  }
  delivered.sort((a, b) => (a.id < b.id ? -1 : 1));
  assert.deepEqual(
    delivered.map((e) => e.event),
    expected,
  );
  const updated = delivered.find((e) => e.event === 'dsync.user.updated');
  assert.ok(
    updated && 'previousAttributes' in updated.data && updated.data.previousAttributes,
    'the SDK deserializes previous_attributes',
  );

  const sample = receiver.received.find((r) => r.body.includes('ana@acme.test'))!;
  const flipped = sample.body.replace('ana@acme.test', 'ana@acmf.test');
  assert.notEqual(flipped, sample.body);
  await assert.rejects(
    workos.webhooks.constructEvent({
      payload: JSON.parse(flipped),
      sigHeader: sample.signature,
      secret: endpoint.secret,
    }),
  );

  // Events API: the same ids in the same order, each once.
  const listed: string[] = [];
  let after: string | undefined;
  do {
    const page = await workos.events.listEvents({ events: [...DSYNC_TYPES], limit: 100, ...(after ? { after } : {}) });
    listed.push(...page.data.map((e) => e.id));
    after = page.listMetadata.after ?? undefined;
  } while (after);
  assert.deepEqual(
    listed,
    delivered.map((e) => e.id),
  );

  // Deleting the directory announces dsync.deleted; it and dsync.activated match the spec's shapes.
  await workos.directorySync.deleteDirectory(created.directory.id);
  await emulator.webhooks.idle();
  const last = JSON.parse(receiver.received.at(-1)!.body) as { event: string; data: { id: string; state: string } };
  assert.equal(last.event, 'dsync.deleted');
  assert.equal(last.data.id, created.directory.id);
  assert.equal((await scim.get('/Users')).status, 401, 'the SCIM token dies with its directory');
  const validate = createEventValidator();
  for (const event of emulator.world.events.filter(
    (e) => e.event === 'dsync.activated' || e.event === 'dsync.deleted',
  )) {
    assert.equal(validate(event), null, `${event.event}: ${validate(event)}`);
  }
});
