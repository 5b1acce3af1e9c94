// Organizations (CRUD, external id) and their domains with verification state.
import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from './context.ts';
import type { DomainState, OrganizationDomainWire, OrganizationWire } from '../state/types.ts';
import { badRequest, conflict, notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { serializeOrganization } from './serialize.ts';
import { connectionEventData } from './connections.ts';
import { deleteDirectory } from './directories.ts';
import { requireOrganization } from './organization-lookup.ts';

const domainData = z.array(z.object({ domain: z.string().min(1), state: z.enum(['verified', 'pending']) }));

const CreateOrganizationInput = z.object({
  name: z.string().min(1),
  domains: z.array(z.string().min(1)).optional(),
  domain_data: domainData.optional(),
  external_id: z.string().nullish(),
  metadata: z.record(z.string(), z.string()).optional(),
  allow_profiles_outside_organization: z.boolean().optional(),
});

const UpdateOrganizationInput = CreateOrganizationInput.partial();

const CreateDomainInput = z.object({
  organization_id: z.string().min(1),
  domain: z.string().min(1),
});

function assertExternalIdFree(ctx: EmulatorContext, externalId: string | null | undefined, selfId?: string): void {
  if (!externalId) return;
  for (const org of ctx.world.organizations.values()) {
    if (org.external_id === externalId && org.id !== selfId) {
      throw badRequest('external_id_already_used', 'An organization with this external_id already exists.');
    }
  }
}

/** Adds a domain to an organization; emits organization_domain.created. */
function addOrganizationDomain(
  ctx: EmulatorContext,
  organizationId: string,
  domain: string,
  state: DomainState,
): OrganizationDomainWire {
  const { world } = ctx;
  const name = domain.toLowerCase();
  for (const existing of world.organizationDomains.values()) {
    if (existing.domain === name && existing.organization_id === organizationId) return existing;
  }
  const now = world.nowIso();
  const record: OrganizationDomainWire = {
    object: 'organization_domain',
    id: world.newId('org_domain'),
    organization_id: organizationId,
    domain: name,
    state,
    verification_prefix: 'workos-verification',
    verification_token: randomBytes(12).toString('hex'),
    verification_strategy: state === 'verified' ? 'manual' : 'dns',
    created_at: now,
    updated_at: now,
  };
  world.organizationDomains.set(record.id, record);
  world.emit('organization_domain.created', record);
  return record;
}

function replaceDomains(
  ctx: EmulatorContext,
  orgId: string,
  wanted: Array<{ domain: string; state: DomainState }>,
): void {
  const { world } = ctx;
  const names = new Set(wanted.map((d) => d.domain.toLowerCase()));
  for (const existing of [...world.organizationDomains.values()]) {
    if (existing.organization_id === orgId && !names.has(existing.domain)) {
      world.organizationDomains.delete(existing.id);
      world.emit('organization_domain.deleted', existing);
    }
  }
  for (const d of wanted) addOrganizationDomain(ctx, orgId, d.domain, d.state);
}

function wantedDomains(input: {
  domains?: string[] | undefined;
  domain_data?: Array<{ domain: string; state: DomainState }> | undefined;
}) {
  if (input.domain_data) return input.domain_data;
  // The deprecated `domains` list creates verified domains, as WorkOS still does.
  if (input.domains) return input.domains.map((domain) => ({ domain, state: 'verified' as const }));
  return undefined;
}

export function createOrganization(ctx: EmulatorContext, body: unknown) {
  const input = parseInput(CreateOrganizationInput, body);
  const { world } = ctx;
  assertExternalIdFree(ctx, input.external_id);
  const now = world.nowIso();
  const org: OrganizationWire = {
    object: 'organization',
    id: world.newId('org'),
    name: input.name,
    metadata: input.metadata ?? {},
    external_id: input.external_id ?? null,
    allow_profiles_outside_organization: input.allow_profiles_outside_organization ?? false,
    created_at: now,
    updated_at: now,
  };
  world.organizations.set(org.id, org);
  const domains = wantedDomains(input);
  world.emit('organization.created', serializeOrganization(world, org));
  if (domains) replaceDomains(ctx, org.id, domains);
  return serializeOrganization(world, org);
}

export function getOrganization(ctx: EmulatorContext, id: string) {
  return serializeOrganization(ctx.world, requireOrganization(ctx, id));
}

export function getOrganizationByExternalId(ctx: EmulatorContext, externalId: string) {
  for (const org of ctx.world.organizations.values()) {
    if (org.external_id === externalId) return serializeOrganization(ctx.world, org);
  }
  throw notFound('Organization', externalId);
}

export function listOrganizations(
  ctx: EmulatorContext,
  filter: { domains?: string[]; search?: string },
  params: ListParams,
) {
  const { world } = ctx;
  let orgs = [...world.organizations.values()];
  // `search` matches the name, case-insensitively, as the dashboard's search box does.
  if (filter.search) orgs = orgs.filter((o) => o.name.toLowerCase().includes(filter.search!.toLowerCase()));
  if (filter.domains && filter.domains.length > 0) {
    const wanted = new Set(filter.domains.map((d) => d.toLowerCase()));
    const orgIds = new Set(
      [...world.organizationDomains.values()].filter((d) => wanted.has(d.domain)).map((d) => d.organization_id),
    );
    orgs = orgs.filter((o) => orgIds.has(o.id));
  }
  return paginate(orgs, params, (org) => serializeOrganization(world, org));
}

export function updateOrganization(ctx: EmulatorContext, id: string, body: unknown) {
  const input = parseInput(UpdateOrganizationInput, body);
  const org = requireOrganization(ctx, id);
  const { world } = ctx;
  assertExternalIdFree(ctx, input.external_id, id);
  if (input.name !== undefined) org.name = input.name;
  if (input.metadata !== undefined) org.metadata = input.metadata;
  if (input.external_id !== undefined) org.external_id = input.external_id;
  if (input.allow_profiles_outside_organization !== undefined) {
    org.allow_profiles_outside_organization = input.allow_profiles_outside_organization;
  }
  const domains = wantedDomains(input);
  if (domains) replaceDomains(ctx, id, domains);
  org.updated_at = world.nowIso();
  world.emit('organization.updated', serializeOrganization(world, org));
  return serializeOrganization(world, org);
}

/** Deleting an organization removes what hangs off it, each removal announced. */
export function deleteOrganization(ctx: EmulatorContext, id: string): void {
  const org = requireOrganization(ctx, id);
  const { world } = ctx;
  const snapshot = serializeOrganization(world, org);
  for (const m of [...world.memberships.values()]) {
    if (m.organization_id !== id) continue;
    world.memberships.delete(m.id);
    world.emit('organization_membership.deleted', m);
  }
  for (const d of [...world.organizationDomains.values()])
    if (d.organization_id === id) world.organizationDomains.delete(d.id);
  // The organization's authorization tree and the grants on it go with the organization.
  for (const r of [...world.authorizationResources.values()])
    if (r.organization_id === id) world.authorizationResources.delete(r.id);
  for (const a of [...world.roleAssignments.values()])
    if (!world.memberships.has(a.organization_membership_id)) world.roleAssignments.delete(a.id);
  for (const c of [...world.connections.values()]) {
    if (c.organization_id !== id) continue;
    world.connections.delete(c.id);
    world.emit('connection.deleted', connectionEventData(c));
  }
  for (const d of [...world.directories.values()]) if (d.organization_id === id) deleteDirectory(ctx, d.id);
  for (const i of world.invitations.values()) {
    if (i.organization_id === id && i.state === 'pending') {
      i.state = 'revoked';
      i.revoked_at = world.nowIso();
      i.updated_at = i.revoked_at;
    }
  }
  world.organizations.delete(id);
  world.emit('organization.deleted', snapshot);
}

export function requireDomain(ctx: EmulatorContext, id: string): OrganizationDomainWire {
  const domain = ctx.world.organizationDomains.get(id);
  if (!domain) throw notFound('OrganizationDomain', id);
  return domain;
}

export function createOrganizationDomain(ctx: EmulatorContext, body: unknown): OrganizationDomainWire {
  const input = parseInput(CreateDomainInput, body);
  requireOrganization(ctx, input.organization_id);
  const name = input.domain.toLowerCase();
  for (const d of ctx.world.organizationDomains.values()) {
    if (d.domain === name) throw conflict('domain_already_exists', `The domain ${name} is already in use.`);
  }
  return { ...addOrganizationDomain(ctx, input.organization_id, name, 'pending') };
}

/**
 * There is no DNS offline: a domain whose name contains `unverifiable` fails verification,
 * any other verifies, so both outcomes (and their events) can be exercised.
 */
export function verifyOrganizationDomain(ctx: EmulatorContext, id: string): OrganizationDomainWire {
  const domain = requireDomain(ctx, id);
  const { world } = ctx;
  if (domain.state === 'verified' || domain.state === 'legacy_verified')
    throw badRequest('domain_already_verified', 'The domain is already verified.');
  const ok = !domain.domain.includes('unverifiable');
  domain.state = ok ? 'verified' : 'failed';
  domain.updated_at = world.nowIso();
  if (ok) {
    world.emit('organization_domain.verified', domain);
  } else {
    // The spec's reasons are few; offline, a failed check reads as the verification period running out.
    world.emit('organization_domain.verification_failed', {
      reason: 'domain_verification_period_expired',
      organization_domain: domain,
    });
  }
  world.emit('organization_domain.updated', domain);
  return { ...domain };
}

export function deleteOrganizationDomain(ctx: EmulatorContext, id: string): void {
  const domain = requireDomain(ctx, id);
  ctx.world.organizationDomains.delete(id);
  ctx.world.emit('organization_domain.deleted', domain);
}
