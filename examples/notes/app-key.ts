// The notes app's credential for Gatehouse: an API key whose role holds `sessions:introspect` and
// nothing else. Against `gatehouse dev` the start script makes it itself, the way an admin would
// (the first key of an organization comes from a signed-in admin, never from a database tool):
// it signs in as the demo super-admin Grace, creates a custom role `notes-app` holding only
// `sessions:introspect` in Globex (dev's super-admin organization, so the key sees every tenant's
// callers), creates the key, signs Grace out, and keeps the secret in a file (mode 0600) so a
// restart reuses it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { devPasswordSignIn } from './dev-sign-in.ts';

export const DEMO_ADMIN = { email: 'grace@globex.test', password: 'globex-grace-demo' };
const ROLE = { slug: 'notes-app', name: 'Notes app', permissions: ['sessions:introspect'] };

/** Whether Gatehouse accepts `key` as an app credential (a 401/403 means refused). */
export async function appKeyWorks(gatehouseUrl: string, key: string): Promise<boolean> {
  const res = await fetch(`${gatehouseUrl}/api/v1/introspect`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ token: 'probe' }),
  });
  await res.body?.cancel();
  return res.status === 200;
}

async function call(gatehouseUrl: string, cookie: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${gatehouseUrl}${path}`, {
    method,
    headers: {
      cookie: `gatehouse_session=${cookie}`,
      // Cookie-carrying changes must come from Gatehouse's own origin (its CSRF rule).
      origin: new URL(gatehouseUrl).origin,
      accept: 'application/json',
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** The key in `file` if Gatehouse still accepts it, else a new one created as the demo admin. */
export async function devAppKey(gatehouseUrl: string, file: string): Promise<string> {
  if (existsSync(file)) {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept && (await appKeyWorks(gatehouseUrl, kept))) return kept;
  }
  const cookie = await devPasswordSignIn(gatehouseUrl, DEMO_ADMIN.email, DEMO_ADMIN.password);
  try {
    const me = await call(gatehouseUrl, cookie, 'GET', '/api/v1/me');
    const orgId = me.json.organizationId as string;
    const role = await call(gatehouseUrl, cookie, 'POST', `/api/v1/organizations/${orgId}/roles`, ROLE);
    if (role.status !== 201 && role.status !== 409)
      throw new Error(`Gatehouse refused the notes-app role (HTTP ${role.status} ${role.json.code})`);
    const key = await call(gatehouseUrl, cookie, 'POST', `/api/v1/organizations/${orgId}/api-keys`, {
      name: 'Notes app (examples/notes)',
      role: ROLE.slug,
    });
    if (key.status !== 201) throw new Error(`Gatehouse refused the app key (HTTP ${key.status} ${key.json.code})`);
    const secret = key.json.secret as string;
    writeFileSync(file, `${secret}\n`, { mode: 0o600 });
    return secret;
  } finally {
    await call(gatehouseUrl, cookie, 'POST', '/auth/logout').catch(() => undefined);
  }
}
