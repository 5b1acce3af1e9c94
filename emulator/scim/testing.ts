// Test support for the SCIM suites: a world with one organization and one SCIM directory,
// and a tiny SCIM client that speaks to any fetch-like handler (in-process or over HTTP).
import type { World } from '../state/world.ts';

export function seedDirectory(world: World, opts: { token: string; type?: string; domain?: string }) {
  const now = world.nowIso();
  const org = {
    object: 'organization' as const,
    id: world.newId('org'),
    name: 'Acme',
    metadata: {},
    external_id: null,
    allow_profiles_outside_organization: false,
    created_at: now,
    updated_at: now,
  };
  world.organizations.set(org.id, org);
  const directory = {
    object: 'directory' as const,
    id: world.newId('directory'),
    organization_id: org.id,
    external_key: 'k',
    type: opts.type ?? 'okta scim v2.0',
    state: 'linked' as const,
    name: 'Acme directory',
    created_at: now,
    updated_at: now,
  };
  world.directories.set(directory.id, directory);
  world.scimTokens.set(directory.id, opts.token);
  return { org, directory };
}

export interface ScimAnswer {
  status: number;
  body: any;
  headers: Headers;
}

export type Requester = (path: string, init: RequestInit) => Promise<Response>;

export function scimClient(request: Requester, base: string, token: string) {
  const call = async (method: string, path: string, body?: unknown): Promise<ScimAnswer> => {
    const res = await request(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json; charset=utf-8' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
    put: (path: string, body: unknown) => call('PUT', path, body),
    patch: (path: string, operations: unknown[]) =>
      call('PATCH', path, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations }),
    delete: (path: string) => call('DELETE', path),
  };
}

export type ScimClient = ReturnType<typeof scimClient>;
