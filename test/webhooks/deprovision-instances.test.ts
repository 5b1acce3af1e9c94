// A SCIM deactivation of a signed-in user: the emulator's dsync.user.updated reaches instance A's
// webhook receiver, which deactivates the membership and publishes revocations in the same
// transaction; the user's next request to instance B (its credential cached there) is refused
// within 1 s. Two Gatehouse instances on one PostgreSQL database; skipped without TEST_DATABASE_URL (a failure under CI=true).
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { openGatehouse, type Gatehouse } from '../../src/app.ts';
import { parseConfig } from '../../src/config.ts';
import { listen, type RunningServer } from '../../src/http/serve.ts';
import { asSystem, inTenant } from '../../src/store/tenant.ts';
import { createTestDatabase } from '../support/stores.ts';
import { requirePostgres } from '../support/requirements.ts';
import { api, DSYNC_EVENTS } from './scim-workload.ts';
import { scimClient } from '../../emulator/scim/testing.ts';
import { SECRET } from './support.ts';

// Both ways of acknowledging: after applying, and on the durable inbox row with the apply workers
// of both instances behind it (the 1 s then includes the queue).
for (const acknowledge of ['applied', 'durable'] as const)
  describe(`SCIM deactivation across instances (acknowledged when ${acknowledge})`, () => {
    const open: Gatehouse[] = [];
    let server: RunningServer | undefined;
    let emu: RunningEmulator | undefined;
    let drop: (() => Promise<void>) | undefined;
    after(async () => {
      // Deliveries stop first, then the server, then the instances, then their database.
      await emu?.close();
      await server?.close(500);
      for (const g of open) await g.close();
      await drop?.();
    });

    it("refuses the user's next request on another instance within 1 s", {
      skip: requirePostgres('two instances need PostgreSQL and LISTEN/NOTIFY'),
    }, async () => {
      const db = await createTestDatabase();
      drop = db.drop;
      emu = await startEmulator({ seed: false });
      const config = parseConfig({
        DATABASE_URL: db.url,
        GATEHOUSE_SECRET: 's'.repeat(40),
        WORKOS_WEBHOOK_SECRET: SECRET,
        LOG_LEVEL: 'silent',
        WEBHOOK_ACKNOWLEDGE: acknowledge,
      });
      const a = await openGatehouse(config);
      open.push(a);
      const b = await openGatehouse(config);
      open.push(b);
      await Promise.all([a.access.bus.ready, b.access.bus.ready]);
      for (const g of [a, b]) g.webhooks.start(); // the apply workers (durable)
      server = await listen(a.app, { port: 0, host: '127.0.0.1' });

      // The emulator's organization and directory; the same organization and signed-in user in Gatehouse.
      await api(emu, 'POST', '/webhook_endpoints', {
        endpoint_url: `${server.url}/webhooks/workos`,
        events: DSYNC_EVENTS,
        secret: SECRET,
      });
      const org = await api(emu, 'POST', '/organizations', { name: 'Deprovision Co' });
      const created = await api(emu, 'POST', '/_emulator/directories', { organization_id: org.id });
      const scim = scimClient((u, i) => fetch(u, i), `${emu.url}/scim/v2/${created.directory.id}`, created.scim_token);
      const userId = 'user_deprovision_1';
      await asSystem(a.store.db, 'fixture', async (tx) => {
        // dsync.activated may already have mirrored the organization (a placeholder row).
        await tx
          .insertInto('organizations')
          .values({ id: org.id, name: 'Deprovision Co' })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
        await tx.insertInto('users').values({ id: userId, email: 'dana@deprovision.test' }).execute();
        await tx
          .insertInto('organization_memberships')
          .values({
            organization_id: org.id,
            id: 'om_dana',
            user_id: userId,
            role_slug: 'admin',
            status: 'active',
            source: 'manual',
          })
          .execute();
      });
      const session = await inTenant(a.store.db, org.id, (tx) =>
        a.access.sessions!.create(tx, { organizationId: org.id, userId, authMethod: 'sso', role: 'admin' }),
      );
      const cookie = `${b.access.verifier.cookieName}=${session.cookieValue}`;
      const me = () => b.app.request('/api/v1/me', { headers: { cookie } });

      const provisioned = await scim.post('/Users', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
        userName: 'dana@deprovision.test',
        active: true,
        name: { givenName: 'Dana', familyName: 'D' },
        emails: [{ value: 'dana@deprovision.test', primary: true }],
      });
      assert.equal(provisioned.status, 201);
      await emu.webhooks.idle();
      assert.equal((await me()).status, 200, 'signed in, and now cached on instance B');
      assert.equal((await me()).status, 200);

      const t0 = performance.now();
      const patched = await scim.patch(`/Users/${provisioned.body.id}`, [
        { op: 'replace', path: 'active', value: false },
      ]);
      assert.equal(patched.status, 200);
      let status = 200;
      while (status === 200 && performance.now() - t0 < 3000) {
        status = (await me()).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 10));
      }
      const elapsed = performance.now() - t0;
      console.log(
        `deactivation refused on instance B after ${elapsed.toFixed(0)} ms (status ${status}, acknowledged when ${acknowledge})`,
      );
      assert.equal(status, 401);
      assert.ok(elapsed < 1000, `refused within 1 s (took ${elapsed.toFixed(0)} ms)`);
      const audit = await asSystem(a.store.db, 'test', (tx) =>
        tx
          .selectFrom('audit_events')
          .select(['type', 'actor_type', 'actor_id'])
          .where('organization_id', '=', org.id)
          .where('type', '=', 'directory.user_deprovisioned')
          .execute(),
      );
      assert.deepEqual(audit, [
        { type: 'directory.user_deprovisioned', actor_type: 'directory', actor_id: created.directory.id },
      ]);
      // The session row itself is ended by the sessions service right after the commit.
      let revokedAt: Date | null = null;
      for (let i = 0; i < 100 && !revokedAt; i++) {
        revokedAt = (
          await asSystem(a.store.db, 'test', (tx) =>
            tx
              .selectFrom('sessions')
              .select('revoked_at')
              .where('id', '=', session.sessionId)
              .executeTakeFirstOrThrow(),
          )
        ).revoked_at;
        if (!revokedAt) await new Promise((r) => setTimeout(r, 20));
      }
      assert.ok(revokedAt, 'the session is marked revoked');
    });
  });
