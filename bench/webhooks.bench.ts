// Webhook intake on PostgreSQL, three figures measured in the same run:
//   1. the bare inbox-insert transaction (BEGIN, insert one webhook_events row, COMMIT): the floor;
//   2. webhook events per second end to end: signed HTTP POSTs to /webhooks/workos, verified,
//      inbox + mirror upsert + audit entry in one transaction, answered after commit;
//   2b. durable acknowledgement (the answer after the pending inbox row) and the batched apply
//      throughput of the queue behind it (two workers), both against the same bare insert;
//   3. the time from an identity provider's SCIM requests (10 concurrent clients) creating an
//      N-user directory in the emulator to the mirror holding all N users, acknowledged durably and
//      applied by two workers (BENCH_SCIM_USERS, default 10,000), with the peak memory;
//   4. revocation under load across two instances (revocation.bench.ts).
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { startEmulator } from '../emulator/index.ts';
import { createHttpApp } from '../src/http/app.ts';
import { listen } from '../src/http/serve.ts';
import { createLogger } from '../src/logger.ts';
import { openStore, type Store } from '../src/store/store.ts';
import { asSystem } from '../src/store/tenant.ts';
import { createWebhookReceiver } from '../src/webhooks/receiver.ts';
import { signWebhookPayload } from '../src/webhooks/signature.ts';
import { ingestEvent } from '../src/webhooks/inbox.ts';
import { parseProviderEvent } from '../src/mirror/provider-event.ts';
import { drainQueue } from '../src/webhooks/apply-queue.ts';
import { createApplyWorker } from '../src/webhooks/apply-worker.ts';
import { revocationUnderLoad } from './revocation.bench.ts';
import { emulatorScimRate } from './emulator-scim.bench.ts';
import { setupScimDirectory } from '../test/webhooks/scim-workload.ts';
import { freshDatabase, opsPerSecond, row } from './support.ts';

const SECRET = 'whsec_bench_0123456789abcdef';
const noRevocations = { revoke: async () => undefined };

function dsyncUserEvent(i: number, org: string) {
  const now = new Date().toISOString();
  return JSON.stringify({
    id: `event_bench_${String(i).padStart(8, '0')}_${randomBytes(3).toString('hex')}`,
    event: 'dsync.user.created',
    created_at: now,
    data: {
      object: 'directory_user',
      id: `directory_user_bench_${i}`,
      directory_id: `directory_${org}`,
      organization_id: org,
      idp_id: `idp${i}`,
      email: `u${i}@bench.test`,
      first_name: 'B',
      last_name: 'U',
      state: 'active',
      emails: [],
      raw_attributes: {},
      custom_attributes: {},
      created_at: now,
      updated_at: now,
    },
  });
}

// The senders use node:http with keep-alive sockets rather than fetch: here they share two cores
// with the server and the database, and undici's fetch spends more CPU per request than the
// receiver does, which would measure the sender. WorkOS's dispatcher runs on its own machines.
const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });

async function postWebhook(url: string, body: string): Promise<void> {
  const target = new URL(url);
  const headers = {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'workos-signature': signWebhookPayload(body, SECRET),
  };
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.request(
      { agent, host: target.hostname, port: target.port, path: target.pathname, method: 'POST', headers },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
  if (status !== 200) throw new Error(`webhook answered ${status}: ${text}`);
}

async function endToEnd(
  store: Store,
  total: number,
  orgs: number,
): Promise<{ inbox: number; ingest: number; http: number; ack: number; apply: number }> {
  const inbox = await opsPerSecond(total, 10, (i) =>
    asSystem(store.db, 'bench', (tx) =>
      tx
        .insertInto('webhook_events')
        .values({
          id: `event_bare_${orgs}_${i}_${randomBytes(3).toString('hex')}`,
          type: 'dsync.user.created',
          organization_id: `org_bench_${i % orgs}`,
          payload: dsyncUserEvent(i, `org_bench_${i % orgs}`),
          provider_created_at: new Date().toISOString(),
          source: 'webhook',
          outcome: 'applied',
        })
        .execute(),
    ),
  );
  // The same events applied in process (inbox, mirror, audit; no HTTP, no signature): splits the
  // end-to-end cost between the handler's database work and the HTTP round trip.
  const ingest = await opsPerSecond(total, 10, (i) =>
    ingestEvent(
      { db: store.db, access: noRevocations },
      parseProviderEvent(JSON.parse(dsyncUserEvent(total * orgs * 2 + i, `org_bench_${i % orgs}`))),
      'webhook',
    ),
  );
  const receiver = createWebhookReceiver({ db: store.db, access: noRevocations, secrets: [SECRET] });
  const server = await listen(
    createHttpApp({ store, logger: createLogger('silent'), webhookRoutes: receiver.routes }),
    { port: 0, host: '127.0.0.1' },
  );
  const base = total * orgs;
  try {
    const http = await opsPerSecond(total, 10, async (i) => {
      await postWebhook(`${server.url}/webhooks/workos`, dsyncUserEvent(base + i, `org_bench_${i % orgs}`));
    });
    // Durable acknowledgement: the answer after the pending inbox row alone; then the queue is
    // applied in batches by two workers (as two instances would), timed from start to empty.
    const durable = createWebhookReceiver({
      db: store.db,
      access: noRevocations,
      secrets: [SECRET],
      acknowledge: 'durable',
    });
    const ackServer = await listen(
      createHttpApp({ store, logger: createLogger('silent'), webhookRoutes: durable.routes }),
      { port: 0, host: '127.0.0.1' },
    );
    const queuedBase = total * orgs * 4;
    let ack: number;
    try {
      ack = await opsPerSecond(total, 10, async (i) => {
        await postWebhook(`${ackServer.url}/webhooks/workos`, dsyncUserEvent(queuedBase + i, `org_bench_${i % orgs}`));
      });
    } finally {
      await ackServer.close(1000);
    }
    const started = performance.now();
    const applied = (await Promise.all([1, 2].map(() => drainQueue({ db: store.db, access: noRevocations })))).reduce(
      (a, b) => a + b,
      0,
    );
    if (applied !== total) throw new Error(`the queue applied ${applied} of ${total} events`);
    const apply = total / ((performance.now() - started) / 1000);
    return { inbox, ingest, http, ack, apply };
  } finally {
    await server.close(1000);
  }
}

async function scimToConverged(store: Store, users: number): Promise<{ seconds: number; scimSeconds: number }> {
  // As production runs by default: acknowledged on the inbox row, applied by two workers (two
  // instances) in set-based batches.
  const receiver = createWebhookReceiver({
    db: store.db,
    access: noRevocations,
    secrets: [SECRET],
    acknowledge: 'durable',
    onQueued: () => void workers[0]?.wake(),
  });
  const workers = [1, 2].map(() =>
    createApplyWorker({ db: store.db, access: noRevocations, listen: store.listen, pollMs: 200 }),
  );
  for (const w of workers) await w.start();
  const server = await listen(
    createHttpApp({ store, logger: createLogger('silent'), webhookRoutes: receiver.routes }),
    { port: 0, host: '127.0.0.1' },
  );
  const emu = await startEmulator({
    seed: false,
    webhooks: { concurrency: 10, retry: { baseDelayMs: 50, factor: 2, maxAttempts: 10, timeoutMs: 30_000 } },
  });
  try {
    const dir = await setupScimDirectory(emu, { url: `${server.url}/webhooks/workos`, secret: SECRET });
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < users) {
          const i = next++;
          const r = await dir.scim.post('/Users', {
            schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
            userName: `b${i}@scim.test`,
            active: true,
            name: { givenName: 'B', familyName: String(i) },
            emails: [{ value: `b${i}@scim.test`, primary: true }],
          });
          if (r.status !== 201) throw new Error(`SCIM create answered ${r.status}`);
        }
      }),
    );
    const scimSeconds = (performance.now() - started) / 1000;
    for (;;) {
      const n = await asSystem(store.db, 'bench', async (tx) =>
        Number(
          (
            await tx
              .selectFrom('directory_users')
              .select((eb) => eb.fn.countAll<number>().as('n'))
              .where('organization_id', '=', dir.organizationId)
              .where('deleted_at', 'is', null)
              .executeTakeFirstOrThrow()
          ).n,
        ),
      );
      if (n >= users) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    return { seconds: (performance.now() - started) / 1000, scimSeconds };
  } finally {
    await emu.close();
    await server.close(1000);
    for (const w of workers) await w.close();
  }
}

export async function webhooksBench(postgresUrl: string | undefined): Promise<string[]> {
  const out = ['webhook intake (PostgreSQL, 10 concurrent senders)'];
  if (!postgresUrl)
    return [...out, '  skipped (no BENCH_DATABASE_URL/TEST_DATABASE_URL and no local PostgreSQL to start)'];
  const db = await freshDatabase(postgresUrl);
  const store = await openStore({ engine: 'postgres', url: db.url, poolSize: 10 });
  try {
    const total = Number(process.env.BENCH_WEBHOOK_EVENTS ?? 3000);
    for (const orgs of [10, 1]) {
      const r = await endToEnd(store, total, orgs);
      out.push(row(`bare inbox-insert transaction, ${orgs} organization${orgs > 1 ? 's' : ''}`, r.inbox, 'tx/s'));
      out.push(
        row(
          `in-process apply (inbox, mirror, audit), ${orgs} org${orgs > 1 ? 's' : ''}`,
          r.ingest,
          'events/s',
          r.inbox,
        ),
      );
      out.push(
        row(
          `webhook end to end (HTTP, verify, inbox, mirror, audit), ${orgs} org${orgs > 1 ? 's' : ''}`,
          r.http,
          'events/s',
          r.inbox,
        ),
      );
      out.push(
        row(
          `durable acknowledgement (HTTP, verify, inbox row), ${orgs} org${orgs > 1 ? 's' : ''}`,
          r.ack,
          'events/s',
          r.inbox,
        ),
      );
      out.push(
        row(
          `batched apply from the queue (2 workers), ${orgs} org${orgs > 1 ? 's' : ''}`,
          r.apply,
          'events/s',
          r.inbox,
        ),
      );
    }
    const users = Number(process.env.BENCH_SCIM_USERS ?? 10_000);
    out.push(...(await emulatorScimRate(users)));
    const scim = await scimToConverged(store, users);
    out.push(row(`SCIM: ${users} users created -> mirror converged`, scim.seconds, 's'));
    out.push(row(`  of which the SCIM requests themselves took`, scim.scimSeconds, 's'));
    out.push(row(`  users per second, SCIM request to mirrored row`, users / scim.seconds, 'users/s'));
    out.push(row(`  SCIM requests per second (10 concurrent clients)`, users / scim.scimSeconds, 'req/s'));
    // ru_maxrss: the peak resident set of this process (emulator, Gatehouse and the bench together).
    out.push(row(`  peak memory of the bench process so far`, process.resourceUsage().maxRSS / 1024, 'MiB'));
    out.push(...(await revocationUnderLoad(db.url, Number(process.env.BENCH_REVOCATION_EVENTS ?? total))));
  } finally {
    await store.close();
    await db.drop();
  }
  return out;
}
