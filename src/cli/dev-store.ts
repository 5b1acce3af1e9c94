// The embedded database of `gatehouse dev`: a fresh folder starts as a copy of the migrated
// template (src/store/pglite-folder.ts); dev also needs to know whether the database existed
// before this start, to choose between a full and an incremental reconciliation.
import { preparePgliteFolder, type PreparedFolder } from '../store/pglite-folder.ts';
import { openStore, type OpenStoreOptions, type Store, type StoreLocation } from '../store/store.ts';

/**
 * Opens dev's store: an embedded folder is prepared from the template first, PostgreSQL is taken
 * as it is. `prepared` says whether the database existed before this start.
 */
export async function openDevStore(
  location: StoreLocation,
  options: OpenStoreOptions = {},
): Promise<{ store: Store; prepared: PreparedFolder | 'server' }> {
  const prepared =
    location.engine === 'pglite' && location.dataDir ? await preparePgliteFolder(location.dataDir) : 'server';
  return { store: await openStore(location, options), prepared };
}
