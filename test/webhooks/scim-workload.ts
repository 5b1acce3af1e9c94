// A SCIM-driven directory workload against the emulator over HTTP, for the chaos, reconcile,
// kill-and-restart suites and the bench: an organization with a SCIM directory whose webhooks go
// to Gatehouse, then an identity provider's traffic (users created, renamed, deactivated,
// reactivated, deleted; groups created, members added and removed) until a number of events.
import type { RunningEmulator } from '../../emulator/index.ts';
import { scimClient, type ScimClient } from '../../emulator/scim/testing.ts';

export const DSYNC_EVENTS = [
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
];

export async function api(emu: RunningEmulator, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${emu.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${emu.apiKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

export interface ScimDirectory {
  organizationId: string;
  directoryId: string;
  scim: ScimClient;
}

/** An organization, a SCIM directory and (when given) a webhook endpoint for Gatehouse. */
export async function setupScimDirectory(
  emu: RunningEmulator,
  webhook?: { url: string; secret: string },
): Promise<ScimDirectory> {
  if (webhook)
    await api(emu, 'POST', '/webhook_endpoints', {
      endpoint_url: webhook.url,
      events: DSYNC_EVENTS,
      secret: webhook.secret,
    });
  const org = await api(emu, 'POST', '/organizations', { name: `Chaos ${Date.now()}` });
  const created = await api(emu, 'POST', '/_emulator/directories', { organization_id: org.id, type: 'okta scim v2.0' });
  const scim = scimClient(
    (url, init) => fetch(url, init),
    `${emu.url}/scim/v2/${created.directory.id}`,
    created.scim_token,
  );
  return { organizationId: org.id, directoryId: created.directory.id, scim };
}

function userBody(i: number, given = 'User') {
  return {
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
    userName: `user${i}@chaos.test`,
    externalId: `ext-${i}`,
    active: true,
    name: { givenName: `${given}${i}`, familyName: 'Chaos' },
    emails: [{ value: `user${i}@chaos.test`, primary: true, type: 'work' }],
  };
}

async function ok(p: Promise<{ status: number; body: any }>): Promise<any> {
  const r = await p;
  if (r.status >= 300) throw new Error(`SCIM ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Runs `fn` over `items` with `lanes` requests in flight. */
async function parallel<T>(items: T[], lanes: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/**
 * Drives SCIM traffic until the directory's event log holds at least `targetEvents` events.
 * Each round creates a batch of users and a group, then renames, deactivates, regroups and deletes
 * some of them, so every dsync event type occurs many times.
 */
export async function driveScim(
  emu: RunningEmulator,
  dir: ScimDirectory,
  targetEvents: number,
  lanes = 8,
): Promise<number> {
  const count = () =>
    emu.world.events.filter(
      (e) =>
        (e.data as { directory_id?: string; id?: string }).directory_id === dir.directoryId ||
        (e.data as { id?: string }).id === dir.directoryId,
    ).length;
  let i = 0;
  let round = 0;
  while (count() < targetEvents) {
    const batch = Math.max(1, Math.min(50, Math.ceil((targetEvents - count()) / 4)));
    const ids: string[] = [];
    await parallel([...Array(batch).keys()], lanes, async () => {
      const n = i++;
      ids.push((await ok(dir.scim.post('/Users', userBody(n)))).id);
    });
    const group = await ok(
      dir.scim.post('/Groups', {
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: `group-${round}`,
        members: ids.slice(0, Math.ceil(ids.length / 2)).map((value) => ({ value })),
      }),
    );
    await parallel(ids, lanes, async (id) => {
      const k = ids.indexOf(id);
      if (k % 3 === 0)
        await ok(
          dir.scim.patch(`/Users/${id}`, [
            { op: 'replace', value: { name: { givenName: `Renamed${k}`, familyName: 'Chaos' } } },
          ]),
        );
      if (k % 4 === 1) await ok(dir.scim.patch(`/Users/${id}`, [{ op: 'replace', path: 'active', value: false }]));
      if (k % 8 === 1) await ok(dir.scim.patch(`/Users/${id}`, [{ op: 'replace', path: 'active', value: true }]));
      if (k % 2 === 1)
        await ok(dir.scim.patch(`/Groups/${group.id}`, [{ op: 'add', path: 'members', value: [{ value: id }] }]));
      if (k % 6 === 0)
        await ok(dir.scim.patch(`/Groups/${group.id}`, [{ op: 'remove', path: `members[value eq "${id}"]` }]));
      if (k % 10 === 9) await ok(dir.scim.delete(`/Users/${id}`));
    });
    if (round % 2 === 1)
      await ok(
        dir.scim.patch(`/Groups/${group.id}`, [{ op: 'replace', value: { displayName: `group-${round}-renamed` } }]),
      );
    if (round % 5 === 4) await ok(dir.scim.delete(`/Groups/${group.id}`));
    round++;
  }
  return count();
}

/** The emulator's directory state in the shape mirrorDirectoryState reads. */
export function emulatorDirectoryState(emu: RunningEmulator, directoryId: string) {
  const w = emu.world;
  const users = [...w.directoryUsers.values()]
    .filter((u) => u.directory_id === directoryId)
    .map((u) => ({
      id: u.id,
      email: u.email ?? u.emails.find((e) => e.primary)?.value ?? null,
      first_name: u.first_name,
      last_name: u.last_name,
      state: u.state,
    }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const groups = [...w.directoryGroups.values()]
    .filter((g) => g.directory_id === directoryId)
    .map((g) => ({ id: g.id, name: g.name }))
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  const members: string[] = [];
  for (const g of groups) for (const u of w.groupMembers.get(g.id) ?? []) members.push(`${g.id}|${u}`);
  return { users, groups, members: members.sort() };
}
