// `gatehouse migrate`: apply pending migrations (the server also does so at start-up).
import { parseArgs } from 'node:util';
import { storeLocationFor } from '../../app.ts';
import { loadConfig } from '../../config.ts';
import { currentVersion } from '../../store/migrator.ts';
import { openStore } from '../../store/store.ts';

export async function migrateCommand(args: string[]): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const config = loadConfig();
  const store = await openStore(storeLocationFor(config));
  try {
    console.log(`database migrated to version ${await currentVersion(store.owner)} (${store.engine})`);
  } finally {
    await store.close();
  }
  return 0;
}
