// The directory sync's WorkOS client: the unmodified `@workos-inc/node` SDK, used for the Events
// API, the list endpoints that `reconcile --full` walks, and magic auth codes for mail.
// Lists are read through the SDK's authenticated `get` in their wire shape (snake_case), because
// webhooks deliver that shape: one set of handlers and mappers then serves webhooks, the Events
// API and full listings alike (the typed list helpers deserialize to camelCase and drop fields).
// Every SDK failure becomes an AppError in one place: the sign-in adapter's `toAppError`.
import { createWorkosClient, type WorkosClientOptions } from '../identity/workos/sdk-client.ts';
import { toAppError } from '../identity/workos/errors.ts';

/** The same options as every WorkOS client (src/identity/workos/sdk-client.ts). */
export type DirectoryClientOptions = WorkosClientOptions;

export interface WireList<T> {
  data: T[];
  list_metadata?: { after?: string | null; before?: string | null };
}

export interface DirectoryClient {
  /** One page of the Events API after `after` (oldest first). */
  listEvents(query: {
    events: readonly string[];
    after?: string | null;
    organizationId?: string;
    limit?: number;
  }): Promise<WireList<Record<string, unknown>>>;
  /** Every item of a list endpoint, page by page. */
  listAll(path: string, query?: Record<string, string>): AsyncGenerator<Record<string, unknown>>;
  /** The magic auth's code and expiry, fetched at send time so the code never rests in our store. */
  getMagicAuthCode(id: string): Promise<{ code: string; expiresAt: string }>;
}

export function createDirectoryClient(options: DirectoryClientOptions): DirectoryClient {
  if (!options.apiKey) throw new TypeError('the directory client needs WORKOS_API_KEY');
  const workos = createWorkosClient(options, 30_000);

  const get = async <T>(path: string, query: Record<string, unknown>, operation: string): Promise<T> => {
    try {
      return (await workos.get<T>(path, { query })).data;
    } catch (error) {
      throw toAppError(error, operation);
    }
  };

  return {
    listEvents: (q) =>
      get(
        '/events',
        {
          events: q.events.join(','),
          after: q.after ?? undefined,
          organization_id: q.organizationId,
          limit: q.limit ?? 100,
          order: 'asc',
        },
        'list events',
      ),

    async *listAll(path, query = {}) {
      let after: string | null | undefined;
      do {
        const page = await get<WireList<Record<string, unknown>>>(
          path,
          { ...query, limit: 100, order: 'asc', after: after ?? undefined },
          `list ${path.slice(1)}`,
        );
        yield* page.data;
        after = page.list_metadata?.after;
      } while (after);
    },

    async getMagicAuthCode(id) {
      try {
        const magicAuth = await workos.userManagement.getMagicAuth(id);
        return { code: magicAuth.code, expiresAt: magicAuth.expiresAt };
      } catch (error) {
        throw toAppError(error, 'get magic auth');
      }
    },
  };
}
