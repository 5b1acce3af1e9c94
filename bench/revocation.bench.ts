// Revocation under load (PostgreSQL, two Gatehouse instances on one database): while a directory
// push of BENCH_REVOCATION_EVENTS events is acknowledged by instance A and applied by the apply
// workers of both instances, a suspension of a signed-in user reaches A; printed is the time from
// A's answer to the suspension until instance B refuses the user's next request (B had the
// credential cached). The target is under 1 s (DESIGN.md §3.4).
import { openGatehouse, type Gatehouse } from '../src/app.ts';
import { parseConfig } from '../src/config.ts';
import { listen } from '../src/http/serve.ts';
import { readBacklog } from '../src/webhooks/apply-queue.ts';
import { asSystem, inTenant } from '../src/store/tenant.ts';
import { signWebhookPayload } from '../src/webhooks/signature.ts';
import { row } from './support.ts';

const SECRET = 'whsec_bench_0123456789abcdef';

function directoryUser(org: string, i: number | 'signed_in', state: string, at: string) {
  return {
    object: 'directory_user',
    id: `directory_user_rev_${i}`,
    directory_id: `directory_${org}`,
    organization_id: org,
    idp_id: `idp${i}`,
    email: i === 'signed_in' ? 'dana@revocation.test' : `u${i}@load.test`,
    first_name: 'R',
    last_name: String(i),
    state,
    emails: [],
    created_at: at,
    updated_at: at,
  };
}

export async function revocationUnderLoad(databaseUrl: string, events: number): Promise<string[]> {
  const config = parseConfig({
    DATABASE_URL: databaseUrl,
    GATEHOUSE_SECRET: 's'.repeat(40),
    WORKOS_WEBHOOK_SECRET: SECRET,
    LOG_LEVEL: 'silent',
    WEBHOOK_ACKNOWLEDGE: 'durable',
  });
  const open: Gatehouse[] = [];
  try {
    const a = await openGatehouse(config);
    open.push(a);
    const b = await openGatehouse(config);
    open.push(b);
    await Promise.all([a.access.bus.ready, b.access.bus.ready]);
    for (const g of open) g.webhooks.start();
    const server = await listen(a.app, { port: 0, host: '127.0.0.1' });
    const org = 'org_revocation_bench';
    const now = new Date().toISOString();
    // A signed-in member whose directory user is linked and active.
    await asSystem(a.store.db, 'bench fixture', async (tx) => {
      await tx.insertInto('organizations').values({ id: org, name: 'Revocation bench' }).execute();
      await tx.insertInto('users').values({ id: 'user_rev_dana', email: 'dana@revocation.test' }).execute();
      await tx
        .insertInto('organization_memberships')
        .values({
          organization_id: org,
          id: 'om_rev_dana',
          user_id: 'user_rev_dana',
          role_slug: 'admin',
          status: 'active',
          source: 'manual',
        })
        .execute();
      await tx
        .insertInto('directory_users')
        .values({
          organization_id: org,
          id: 'directory_user_rev_signed_in',
          directory_id: `directory_${org}`,
          idp_id: 'idpsigned_in',
          email: 'dana@revocation.test',
          state: 'active',
          user_id: 'user_rev_dana',
          provider_updated_at: now,
        })
        .execute();
    });
    const session = await inTenant(a.store.db, org, (tx) =>
      a.access.sessions!.create(tx, { organizationId: org, userId: 'user_rev_dana', authMethod: 'sso', role: 'admin' }),
    );
    const cookie = `${b.access.verifier.cookieName}=${session.cookieValue}`;
    const me = async () => (await b.app.request('/api/v1/me', { headers: { cookie } })).status;
    if ((await me()) !== 200) throw new Error('the member is not signed in on instance B');
    const post = async (event: string, data: Record<string, unknown>, id: string) => {
      const body = JSON.stringify({ id, event, data, created_at: new Date().toISOString() });
      const res = await fetch(`${server.url}/webhooks/workos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'workos-signature': signWebhookPayload(body, SECRET) },
        body,
      });
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      await res.arrayBuffer();
    };
    // The push: 10 concurrent senders; halfway through, the suspension.
    let next = 0;
    let refusedAfterMs = Number.NaN;
    let backlogAtSuspension = 0;
    const suspend = async () => {
      backlogAtSuspension = (await readBacklog(a.store.db)).pending;
      const data = directoryUser(org, 'signed_in', 'suspended', new Date().toISOString());
      await post('dsync.user.updated', data, `event_rev_suspend_${Date.now()}`);
      const answered = performance.now();
      while ((await me()) === 200 && performance.now() - answered < 10_000) await new Promise((r) => setTimeout(r, 5));
      refusedAfterMs = performance.now() - answered;
    };
    let suspension: Promise<void> | undefined;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < events) {
          const i = next++;
          if (i === Math.floor(events / 2)) suspension = suspend();
          await post('dsync.user.created', directoryUser(org, i, 'active', now), `event_rev_${i}_${Date.now()}`);
        }
      }),
    );
    await suspension;
    const out = [
      `revocation under load (PostgreSQL, two instances, ${events} directory events pushed to instance A)`,
      row(`  queued events not yet applied when the suspension arrived`, backlogAtSuspension, 'events'),
      row(`  suspension acknowledged on A -> refused on instance B`, refusedAfterMs, 'ms'),
    ];
    for (const deadline = Date.now() + 300_000; (await readBacklog(a.store.db)).pending > 0 && Date.now() < deadline; )
      await new Promise((r) => setTimeout(r, 100));
    await server.close(1000);
    return out;
  } finally {
    for (const g of open) await g.close();
  }
}
