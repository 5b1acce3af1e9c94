// Every event the emulator's demo world produces (organizations, domains, users, memberships,
// invitations, connections, directories, SCIM users and groups) is readable by its handler:
// reconciling the whole log applies each one, and none is refused as invalid.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startEmulator, type RunningEmulator } from '../../emulator/index.ts';
import { parseConfig } from '../../src/config.ts';
import { createDirectorySync } from '../../src/directory/directory-sync-service.ts';
import { formatReport } from '../../src/directory/drift-report.ts';
import { createLogger } from '../../src/logger.ts';
import type { Store } from '../../src/store/store.ts';
import { HANDLED_EVENT_TYPES } from '../../src/mirror/handlers.ts';
import { openPgliteTestStore } from '../support/stores.ts';
import { api } from '../webhooks/scim-workload.ts';
import { recordingRevoker } from '../webhooks/support.ts';

describe('the demo world through reconciliation', () => {
  let emu: RunningEmulator;
  let store: Store;
  before(async () => {
    emu = await startEmulator();
    store = await openPgliteTestStore();
  });
  after(async () => {
    await emu?.close();
    await store?.close();
  });

  it('applies every handled event of the demo seed, none invalid', async () => {
    // Beyond the seed: updates and deletions of every kind, through the emulator's API.
    const w = emu.world;
    const org = [...w.organizations.values()][0]!;
    const user = [...w.users.values()][0]!;
    const membership = [...w.memberships.values()].find((m) => m.organization_id === org.id)!;
    const tryApi = (method: string, path: string, body?: unknown) =>
      api(emu, method, path, body).catch(() => undefined);
    await tryApi('PUT', `/organizations/${org.id}`, { name: `${org.name} Renamed` });
    await tryApi('PUT', `/user_management/users/${user.id}`, { first_name: 'Renamed' });
    await tryApi('PUT', `/user_management/organization_memberships/${membership.id}`, { role_slug: 'admin' });
    const domain = await tryApi('POST', '/organization_domains', { organization_id: org.id, domain: 'seedcheck.test' });
    if (domain) await tryApi('POST', `/organization_domains/${domain.id}/verify`);
    const inv = await tryApi('POST', '/user_management/invitations', {
      email: 'invitee@seedcheck.test',
      organization_id: org.id,
    });
    if (inv) await tryApi('POST', `/user_management/invitations/${inv.id}/revoke`);
    await tryApi('POST', '/user_management/magic_auth', { email: user.email });
    for (const c of [...w.connections.values()]) await tryApi('DELETE', `/connections/${c.id}`);
    for (const d of [...w.directories.values()]) await tryApi('DELETE', `/directories/${d.id}`);
    await tryApi('DELETE', `/user_management/organization_memberships/${membership.id}`);
    const handled = emu.world.events.filter((e) => HANDLED_EVENT_TYPES.includes(e.event));
    assert.ok(handled.length > 10, 'the demo seed emits events');
    const config = parseConfig({
      WORKOS_API_KEY: emu.apiKey,
      WORKOS_API_HOSTNAME: '127.0.0.1',
      WORKOS_API_PORT: String(emu.port),
      WORKOS_API_HTTPS: 'false',
    });
    const sync = createDirectorySync(config, {
      db: store.db,
      engine: 'pglite',
      logger: createLogger('silent'),
      access: recordingRevoker(),
    });
    const report = (await sync.reconcile({ full: true }))!;
    console.log(formatReport(report).join('\n'));
    sync.close();
    console.log(
      `demo seed: ${handled.length} handled events (${[...new Set(handled.map((e) => e.event))].sort().join(', ')}); report ${JSON.stringify(report.events)}`,
    );
    assert.equal(report.events.invalid, 0);
    assert.equal(report.events.read, handled.length);
    assert.equal(report.events.applied + report.events.stale, handled.length);
  });
});
