// `gatehouse provision-eval-tenant --name N --admin-email E [--seed-demo]`: creates (or finds) the
// WorkOS organization and the local tenant, invites the admin, optionally seeds demo data, and
// prints each step. Safe to re-run with the same name.
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { createWorkosOrganizationAdmin } from '../../identity/workos/workos-organization-admin.ts';
import { provisionEvalTenant } from '../../organizations/provision.ts';
import { operatorGranter } from '../../access/ceiling.ts';
import { openStore, storeLocationFor } from '../../store/store.ts';
import { workosOptionsFrom } from '../workos-options.ts';
import { createPermissionCatalogue } from '../../core/permission-catalogue.ts';

export async function provisionEvalTenantCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      'admin-email': { type: 'string' },
      'seed-demo': { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.name || !values['admin-email'] || !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(values['admin-email'])) {
    console.error('usage: gatehouse provision-eval-tenant --name NAME --admin-email EMAIL [--seed-demo]');
    return 1;
  }
  const config = loadConfig();
  const admin = createWorkosOrganizationAdmin(workosOptionsFrom(config));
  const store = await openStore(storeLocationFor(config));
  try {
    const result = await provisionEvalTenant(
      { db: store.db, admin },
      { name: values.name, adminEmail: values['admin-email'], seedDemo: values['seed-demo'] },
      operatorGranter(
        { type: 'system', id: 'cli:provision-eval-tenant' },
        createPermissionCatalogue(config.APP_PERMISSIONS),
      ),
    );
    for (const step of result.steps) console.log(`- ${step}`);
    console.log(
      `${result.createdOrganization ? 'provisioned' : 'already provisioned'}: ${values.name} -> ${result.organizationId}`,
    );
    return 0;
  } finally {
    await store.close();
  }
}
