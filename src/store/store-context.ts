// What a transaction must reach of the store that opened it, without a module-level singleton:
// a do-nothing Kysely plugin installed on the store's `db` carries it, and every transaction of
// that `db` inherits the plugin, so a function handed only `tx` finds it.
//
// It carries two things:
//   - the key that opens row-level security for system transactions (`asSystem`). The threat is
//     SQL injection: a bypass switched by a plain setting ('on') can be switched by any statement
//     running as the app role. The database accepts only this random key, which lives in a table
//     the app role cannot read (migration 0009), and the process learns it through the owner
//     connection at open.
//   - local NOTIFY echo: `notify(tx, channel, payload)` sends a PostgreSQL NOTIFY (delivered to
//     every instance on commit) and hands the payload at once to this process's local listeners,
//     so the instance that makes a change acts on it inside the same request, before answering.
//
// Exported API: StoreContext (the plugin), storeContextOf(db | tx), notify(tx, channel, payload)
import {
  sql,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type Transaction,
  type UnknownRow,
} from 'kysely';
import type { Database } from './schema.ts';

/** A transaction (tenant.ts names it Tx; it builds on this file, so this one cannot import it). */
type Tx = Transaction<Database>;

type LocalListener = (payload: string) => void;

export class StoreContext implements KyselyPlugin {
  /** Set once at open from the owner connection; undefined until then (or when not migrated). */
  systemKey: string | undefined;
  readonly #listeners = new Map<string, Set<LocalListener>>();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }

  onLocalNotify(channel: string, listener: LocalListener): () => void {
    let set = this.#listeners.get(channel);
    if (!set) this.#listeners.set(channel, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  echo(channel: string, payload: string): void {
    for (const listener of this.#listeners.get(channel) ?? []) listener(payload);
  }
}

// Kysely's own `sql`…`.execute(tx)` reaches the executor the same way; there is no public getter.
interface ExecutorProvider {
  getExecutor(): { readonly plugins: ReadonlyArray<KyselyPlugin> };
}

export function storeContextOf(db: object): StoreContext | undefined {
  const provider = db as Partial<ExecutorProvider>;
  if (typeof provider.getExecutor !== 'function') return undefined;
  return provider.getExecutor().plugins.find((p): p is StoreContext => p instanceof StoreContext);
}

/** NOTIFY on commit to every instance, and to this instance's local listeners now. */
export async function notify(tx: Tx, channel: string, payload: string): Promise<void> {
  await sql`SELECT pg_notify(${channel}, ${payload})`.execute(tx);
  storeContextOf(tx)?.echo(channel, payload);
}
