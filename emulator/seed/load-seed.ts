// Loads a seed document into the world through the same services the API uses, so a seeded
// world emits the same events (and passes the same validation) as one built by API calls.
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { EmulatorContext } from '../services/context.ts';
import { parseInput } from '../services/input.ts';
import { SeedDocument } from './seed-schema.ts';
import {
  assertRoleSlugs,
  ensureDefaultRoles,
  createPermission,
  createRole,
  findEnvironmentRole,
  setRolePermissions,
} from '../services/roles.ts';
import { createOrganization } from '../services/organizations.ts';
import { createConnection } from '../services/connections.ts';
import { createDirectory } from '../services/directories.ts';
import { createUser } from '../services/users.ts';
import { insertMembership } from '../services/memberships.ts';
import { createWebhookEndpoint } from '../services/webhook-endpoints.ts';
import { createM2MApplication } from '../services/m2m.ts';
import { createRedirectUri } from '../services/redirect-uris.ts';
import { addCorsOrigin, isCorsOriginAllowed, normalizeOrigin } from '../services/cors-origins.ts';
import { badRequest } from '../services/errors.ts';
import { createDirectoryGroup, createDirectoryUser } from '../scim/directory-sync.ts';

export interface SeedSummary {
  organizations: Record<string, string>;
  users: Record<string, string>;
  connections: Record<string, string[]>;
  directories: Record<string, Array<{ id: string; scim_url: string; scim_token: string }>>;
  webhook_endpoints: Array<{ id: string; url: string; secret: string }>;
  m2m_applications: Array<{ name: string; client_id: string; client_secret: string }>;
}

export function parseSeedText(text: string): unknown {
  return parseYaml(text) as unknown;
}

export async function readSeedFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  return path.endsWith('.json') ? (JSON.parse(text) as unknown) : parseSeedText(text);
}

export function loadSeed(ctx: EmulatorContext, input: unknown): SeedSummary {
  const seed = parseInput(SeedDocument, input);
  const { world } = ctx;
  ensureDefaultRoles(ctx);
  const summary: SeedSummary = {
    organizations: {},
    users: {},
    connections: {},
    directories: {},
    webhook_endpoints: [],
    m2m_applications: [],
  };

  for (const p of seed.permissions) createPermission(ctx, p);
  for (const r of seed.roles) {
    if (!findEnvironmentRole(ctx, r.slug))
      createRole(ctx, null, { slug: r.slug, name: r.name, description: r.description });
    setRolePermissions(ctx, null, r.slug, { permissions: r.permissions });
  }

  const orgIdByName = new Map<string, string>();
  for (const o of seed.organizations) {
    const org = createOrganization(ctx, {
      name: o.name,
      ...(o.external_id ? { external_id: o.external_id } : {}),
      ...(o.allow_profiles_outside_organization !== undefined
        ? { allow_profiles_outside_organization: o.allow_profiles_outside_organization }
        : {}),
      domain_data: o.domains.map((domain) => ({ domain, state: 'verified' })),
    });
    orgIdByName.set(o.name, org.id);
    summary.organizations[o.name] = org.id;
    for (const r of o.roles) {
      createRole(ctx, org.id, { slug: r.slug, name: r.name, description: r.description });
      setRolePermissions(ctx, org.id, r.slug, { permissions: r.permissions });
    }
    summary.connections[o.name] = o.connections.map(
      (c) =>
        createConnection(ctx, {
          organization_id: org.id,
          connection_type: c.type,
          state: c.state,
          ...(c.name ? { name: c.name } : {}),
          domains: o.domains,
        }).id,
    );
    summary.directories[o.name] = o.directories.map((d) => {
      const created = createDirectory(ctx, {
        organization_id: org.id,
        type: d.type,
        ...(d.name ? { name: d.name } : {}),
        ...(d.scim_token ? { scim_token: d.scim_token } : {}),
      });
      const directory = world.directories.get(created.directory.id)!;
      const userIds = new Map<string, string>();
      for (const u of d.users) {
        const first = u.first_name ?? null;
        const last = u.last_name ?? null;
        const user = createDirectoryUser(world, directory, {
          idp_id: `seed-${u.email}`,
          email: u.email.toLowerCase(),
          first_name: first,
          last_name: last,
          name: [first, last].filter(Boolean).join(' ') || null,
          emails: [{ primary: true, type: 'work', value: u.email.toLowerCase() }],
          job_title: u.job_title ?? null,
          username: u.user_name ?? u.email.toLowerCase(),
          state: u.state,
          raw_attributes: { userName: u.user_name ?? u.email, active: u.state === 'active' },
          custom_attributes: {},
        });
        userIds.set(u.email.toLowerCase(), user.id);
      }
      for (const groupName of d.groups) {
        const members = d.users
          .filter((u) => u.groups.includes(groupName))
          .map((u) => userIds.get(u.email.toLowerCase())!);
        createDirectoryGroup(
          world,
          directory,
          { idp_id: `seed-${groupName}`, name: groupName, raw_attributes: { displayName: groupName } },
          members,
        );
      }
      return { id: created.directory.id, scim_url: created.scim_url, scim_token: created.scim_token };
    });
  }

  const orgId = (name: string) => {
    const id = orgIdByName.get(name) ?? [...world.organizations.values()].find((o) => o.name === name)?.id;
    if (!id) throw badRequest('seed_invalid', `Seed names an unknown organization: ${name}`);
    return id;
  };

  for (const u of seed.users) {
    const user = createUser(ctx, {
      email: u.email,
      ...(u.password ? { password: u.password } : {}),
      ...(u.first_name ? { first_name: u.first_name } : {}),
      ...(u.last_name ? { last_name: u.last_name } : {}),
      ...(u.external_id ? { external_id: u.external_id } : {}),
      email_verified: u.email_verified,
    });
    summary.users[u.email] = user.id;
    for (const m of u.memberships) {
      assertRoleSlugs(ctx, orgId(m.organization), m.roles ?? [m.role], `users.${u.email}.memberships`);
      insertMembership(ctx, {
        userId: user.id,
        orgId: orgId(m.organization),
        roleSlugs: m.roles ?? [m.role],
        status: m.status,
      });
    }
  }

  for (const uri of seed.redirect_uris) createRedirectUri(ctx, { uri });
  for (const origin of seed.cors_origins) {
    if (!isCorsOriginAllowed(world, normalizeOrigin(origin) ?? origin)) addCorsOrigin(world, origin);
  }
  for (const w of seed.webhook_endpoints) {
    const endpoint = createWebhookEndpoint(ctx, {
      endpoint_url: w.url,
      events: w.events,
      ...(w.secret ? { secret: w.secret } : {}),
    });
    summary.webhook_endpoints.push({ id: endpoint.id, url: endpoint.endpoint_url, secret: endpoint.secret });
  }
  for (const a of seed.m2m_applications) {
    const { application, client_secret } = createM2MApplication(ctx, {
      name: a.name,
      organization_id: orgId(a.organization),
      scopes: a.scopes,
      ...(a.client_id ? { client_id: a.client_id } : {}),
      ...(a.client_secret ? { client_secret: a.client_secret } : {}),
    });
    summary.m2m_applications.push({ name: application.name, client_id: application.client_id, client_secret });
  }
  return summary;
}
