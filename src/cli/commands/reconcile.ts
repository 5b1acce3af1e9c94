// `gatehouse reconcile [--org ID] [--full]`: repairs the mirror from WorkOS. Reads the Events API
// from the stored cursor (missed deliveries apply now, exactly once); --full also lists
// organizations, users, memberships, directories, directory users and groups and repairs drift.
// Progress goes to stderr, the drift report to stdout. One run at a time across instances. Custom
// roles made in Gatehouse but not yet at WorkOS are created there afterwards (provider-roles.ts).
import { parseArgs } from 'node:util';
import { openGatehouse } from '../../app.ts';
import { ConfigError, loadConfig } from '../../config.ts';
import { formatReport } from '../../directory/drift-report.ts';
import { createWorkosOrganizationAdmin } from '../../identity/workos/workos-organization-admin.ts';
import { reconcileProviderRoles } from '../../organizations/provider-roles.ts';
import { workosOptionsFrom } from '../workos-options.ts';

export async function reconcileCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string' },
      full: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const config = loadConfig();
  if (!config.WORKOS_API_KEY)
    throw new ConfigError('WORKOS_API_KEY', 'is required for `reconcile`; expected a WorkOS API key (sk_...)');
  const gatehouse = await openGatehouse(config);
  try {
    const started = performance.now();
    const report = await gatehouse.directorySync.reconcile({
      organizationId: values.org,
      full: values.full,
      onProgress: (message) => process.stderr.write(`reconcile: ${message}\n`),
    });
    if (!report) {
      console.error('gatehouse reconcile: another instance is reconciling right now; nothing done');
      return 1;
    }
    const roles = await reconcileProviderRoles(
      gatehouse.store.db,
      createWorkosOrganizationAdmin(workosOptionsFrom(config)),
      values.org,
    );
    process.stderr.write(`reconcile: custom roles at WorkOS: ${roles.checked} checked, ${roles.created} created\n`);
    await gatehouse.directorySync.deliverMail().catch(() => 0);
    if (values.json) console.log(JSON.stringify(report));
    else for (const line of formatReport(report)) console.log(line);
    process.stderr.write(`reconcile: done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    return 0;
  } finally {
    await gatehouse.close();
  }
}
