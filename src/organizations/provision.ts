// Provisioning an evaluation tenant (the seeds' scripts/provision-eval-tenant): the WorkOS
// organization, the local tenant, an invitation for its first admin (WorkOS emails the link), and
// optionally demo data. Idempotent by name: the external id is derived from it, so a second run
// finds the same organization and invites nobody twice.
import { sql, type Kysely } from 'kysely';
import { appendAuditEvent } from '../audit/audit-log.ts';
import { enforceGrant, type GrantingActor } from '../access/ceiling.ts';
import { AppError } from '../core/errors.ts';
import type { OrganizationAdmin } from '../identity/organization-admin.ts';
import type { Database } from '../store/schema.ts';
import { asSystem, inTenant } from '../store/tenant.ts';

export interface ProvisionInput {
  name: string;
  adminEmail: string;
  seedDemo?: boolean;
}

export interface ProvisionResult {
  organizationId: string;
  externalId: string;
  createdOrganization: boolean;
  invitedAdmin: boolean;
  seededDemo: boolean;
  steps: string[];
}

const DEMO_ROLES = {
  auditor: ['organization:read', 'audit:read'],
  support: ['organization:read', 'members:read', 'sessions:manage'],
};

function externalIdFor(name: string): string {
  const slug = name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  if (!slug) throw new AppError('REQUEST_INVALID', 'The tenant name needs at least one letter or digit');
  return `eval-${slug}`;
}

export async function provisionEvalTenant(
  deps: { db: Kysely<Database>; admin: OrganizationAdmin },
  input: ProvisionInput,
  granter: GrantingActor,
): Promise<ProvisionResult> {
  const actor = granter.actor;
  const name = input.name.trim();
  const email = input.adminEmail.trim().toLowerCase();
  const externalId = externalIdFor(name);
  const steps: string[] = [];

  let org = await deps.admin.findOrganizationByExternalId(externalId);
  const createdOrganization = !org;
  if (!org) {
    org = await deps.admin.createOrganization({ name, externalId });
    steps.push(`created WorkOS organization ${org.id} (${externalId})`);
  } else {
    steps.push(`found WorkOS organization ${org.id} (${externalId})`);
  }
  const organizationId = org.id;

  const localCreated = await asSystem(deps.db, 'provision an evaluation tenant', async (tx) => {
    const row = await tx
      .insertInto('organizations')
      .values({ id: organizationId, name: org.name, external_id: externalId, provider_updated_at: org.updatedAt })
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({ name: org.name, external_id: externalId, updated_at: sql<Date>`now()` }),
      )
      .returning(sql<boolean>`(xmax = 0)`.as('inserted'))
      .executeTakeFirstOrThrow();
    return row.inserted;
  });
  steps.push(localCreated ? 'created the local tenant' : 'local tenant already present');

  const pending = (await deps.admin.listInvitations(organizationId)).filter(
    (i) => i.email.toLowerCase() === email && (i.state === 'pending' || i.state === 'accepted'),
  );
  let invitedAdmin = false;
  if (pending.length === 0) {
    // Provisioning is a grant like any other: the first admin gets nothing the provisioner lacks.
    await enforceGrant(deps.db, organizationId, granter, { path: 'provision', roleSlug: 'admin' });
    const invitation = await deps.admin.sendInvitation({ organizationId, email, roleSlug: 'admin' });
    invitedAdmin = true;
    steps.push(`invited ${email} as admin (invitation ${invitation.id}; WorkOS emails the sign-in link)`);
  } else {
    steps.push(`${email} already invited (${pending[0]!.state})`);
  }

  let seededDemo = false;
  if (input.seedDemo) {
    for (const [slug, permissions] of Object.entries(DEMO_ROLES))
      await enforceGrant(deps.db, organizationId, granter, { path: 'provision', roleSlug: slug, permissions });
    seededDemo = await inTenant(deps.db, organizationId, async (tx) => {
      const inserted = await tx
        .insertInto('organization_roles')
        .values([
          {
            organization_id: organizationId,
            slug: 'auditor',
            name: 'Auditor',
            description: 'Reads the audit trail',
            permissions: DEMO_ROLES.auditor,
          },
          {
            organization_id: organizationId,
            slug: 'support',
            name: 'Support',
            description: 'Sees members and their sessions',
            permissions: DEMO_ROLES.support,
          },
        ])
        .onConflict((oc) => oc.columns(['organization_id', 'slug']).doNothing())
        .returning('slug')
        .execute();
      for (const r of inserted)
        await appendAuditEvent(tx, {
          organizationId,
          type: 'role.created',
          actor,
          target: { type: 'role', id: r.slug },
          data: { demo: true },
        });
      return inserted.length > 0;
    });
    steps.push(seededDemo ? 'seeded demo roles (auditor, support)' : 'demo data already present');
  }

  if (createdOrganization || localCreated || invitedAdmin || seededDemo) {
    await inTenant(deps.db, organizationId, (tx) =>
      appendAuditEvent(tx, {
        organizationId,
        type: 'tenant.provisioned',
        actor,
        target: { type: 'organization', id: organizationId },
        data: { externalId, adminEmail: email, createdOrganization, invitedAdmin, seededDemo },
      }),
    );
  }
  return { organizationId, externalId, createdOrganization, invitedAdmin, seededDemo, steps };
}
