// `gatehouse migrate`: apply pending migrations (the server also does so at start-up).
// `--dry-run` opens the database without migrating and lists what a real run would apply, and
// refuses (exit 1) when an applied migration's file changed since, as a real run would.
import { parseArgs } from 'node:util';
import { loadConfig } from '../../config.ts';
import { currentVersion, pendingMigrations } from '../../store/migrator.ts';
import { openStore, storeLocationFor } from '../../store/store.ts';

export async function migrateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { 'dry-run': { type: 'boolean', default: false } }, strict: true });
  const config = loadConfig();
  const store = await openStore(storeLocationFor(config), { migrate: !values['dry-run'] });
  try {
    if (!values['dry-run']) {
      console.log(`database migrated to version ${await currentVersion(store.owner)} (${store.engine})`);
      return 0;
    }
    const plan = await pendingMigrations(store.owner);
    for (const m of plan.changed)
      console.error(`migration ${m} was changed after it was applied; a real run refuses: add a new migration instead`);
    console.log(`database at version ${await currentVersion(store.owner)} (${store.engine})`);
    if (plan.pending.length === 0) console.log('nothing to apply');
    for (const m of plan.pending) console.log(`would apply ${m}`);
    return plan.changed.length > 0 ? 1 : 0;
  } finally {
    await store.close();
  }
}
