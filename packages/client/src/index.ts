// @gatehouse/client: an app asks Gatehouse who its caller is, without a database.
//
//   const gatehouse = createGatehouseClient({ url: 'https://id.example.com', credential: appKey });
//   const auth = await gatehouse.authenticate(request);   // cookie or bearer -> AuthContext, or GatehouseError
//   auth.can('notes:write'); auth.requireOrganization(orgId);
//
// A request resolves through POST /api/v1/introspect (the same decision Gatehouse's own routes
// take). Positive answers are cached; the revocation stream evicts them the moment a session, key,
// user, membership or organization is revoked, so a revoked caller is refused within a second.
// While the stream is down the client caches for `fallbackTtlMs` only, and logs that it does.
// Refusals are never cached: a caller who signs in again is let in at once.
import { followRevocations } from './revocation-stream.ts';
import { GatehouseError, type AuthContext, type ClientLogger, type RevocationEvent } from './types.ts';

export { GatehouseError, type AuthContext, type ClientLogger, type Principal, type RevocationEvent } from './types.ts';
export { parseSseBlock } from './revocation-stream.ts';

export interface GatehouseClientOptions {
  /** Gatehouse's base URL (its PUBLIC_URL). */
  url: string;
  /** The app credential: a Gatehouse API key holding `sessions:introspect`. */
  credential: string;
  /** How long a positive answer is cached while the revocation stream is up (default 5 min). */
  cacheTtlMs?: number;
  /** How long while the stream is down (default 5 s). */
  fallbackTtlMs?: number;
  /** The end user's session cookie name (default gatehouse_session). */
  cookieName?: string;
  /** A stream silent this long counts as dropped (default 40 s; Gatehouse pings every 15 s). */
  silenceMs?: number;
  /** `false` to not follow revocations (every answer then lives `fallbackTtlMs`). */
  revocationStream?: boolean;
  fetch?: typeof fetch;
  logger?: ClientLogger;
}

/** An AuthContext with the two checks apps make. */
export interface GatehouseAuth extends AuthContext {
  can(permission: string): boolean;
  /** Throws RESOURCE_NOT_FOUND (404) unless the caller acts in `organizationId` (super-admins enter any). */
  requireOrganization(organizationId: string): void;
  /** Throws AUTH_FORBIDDEN (403) unless the caller holds `permission`. */
  require(permission: string): void;
}

/** Anything with headers: a Web Request, Node's IncomingMessage, Express, Fastify, Hono's `c.req.raw`. */
export interface RequestLike {
  headers: Headers | Record<string, string | string[] | undefined>;
}

export type Credential = { cookie: string } | { token: string };

export interface GatehouseClient {
  authenticate(request: RequestLike): Promise<GatehouseAuth>;
  introspect(credential: Credential): Promise<GatehouseAuth>;
  /** The credential a request carries (Authorization: Bearer wins over the cookie), or null. */
  credentialOf(request: RequestLike): Credential | null;
  /** Resolves once the revocation stream is connected. */
  readonly ready: Promise<void>;
  readonly streaming: boolean;
  close(): void;
}

function header(request: RequestLike, name: string): string | undefined {
  const h = request.headers;
  if (typeof (h as Headers).get === 'function') return (h as Headers).get(name) ?? undefined;
  const value = (h as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function withChecks(auth: AuthContext): GatehouseAuth {
  const can = (permission: string) => auth.permissions.includes(permission);
  return {
    ...auth,
    can,
    require(permission) {
      if (!can(permission)) throw new GatehouseError('AUTH_FORBIDDEN', 403, `This needs the ${permission} permission`);
    },
    requireOrganization(organizationId) {
      // Another tenant's id is a miss, never a 403 with detail (Gatehouse's own rule).
      if (auth.organizationId !== organizationId && !auth.isSuperAdmin)
        throw new GatehouseError('RESOURCE_NOT_FOUND', 404, 'Not found');
    },
  };
}

/** Whether a revocation event ends this cached answer. */
export function revokes(event: RevocationEvent, auth: AuthContext): boolean {
  const p = auth.principal;
  const userId = p.type === 'user' ? p.userId : p.type === 'api_key' ? p.ownerUserId : null;
  switch (event.kind) {
    case 'session':
      return auth.sessionId === event.sessionId;
    case 'api_key':
      return (auth.apiKeyId ?? (p.type === 'api_key' ? p.apiKeyId : undefined)) === event.apiKeyId;
    case 'user':
      return (
        userId === event.userId && (event.organizationId === undefined || event.organizationId === auth.organizationId)
      );
    case 'membership':
      return userId === event.userId && auth.organizationId === event.organizationId;
    case 'organization':
      return auth.organizationId === event.organizationId;
    default:
      return true; // an event kind this version does not know: be safe
  }
}

export function createGatehouseClient(options: GatehouseClientOptions): GatehouseClient {
  if (!options || typeof options.url !== 'string' || !/^https?:\/\//.test(options.url))
    throw new TypeError('url must be an http(s) URL');
  if (typeof options.credential !== 'string' || options.credential === '')
    throw new TypeError('credential must be a Gatehouse API key');
  const url = options.url.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const logger = options.logger ?? { warn: (m: string) => console.warn(m), info: (m: string) => console.info(m) };
  const cacheTtl = options.cacheTtlMs ?? 300_000;
  const fallbackTtl = options.fallbackTtlMs ?? 5_000;
  const cookieName = options.cookieName ?? 'gatehouse_session';
  const cache = new Map<string, { auth: AuthContext; expiresAt: number }>();
  let streaming = false;
  // Bumped by every event: an answer in flight while one arrived is not cached (it may be the revoked one).
  let epoch = 0;

  const stream =
    options.revocationStream === false
      ? { ready: Promise.resolve(), close: () => undefined }
      : followRevocations(
          {
            url,
            credential: options.credential,
            fetch: doFetch,
            logger,
            fallbackTtlMs: fallbackTtl,
            ...(options.silenceMs ? { silenceMs: options.silenceMs } : {}),
          },
          {
            onEvent: (event) => {
              epoch++;
              for (const [key, entry] of cache) if (revokes(event, entry.auth)) cache.delete(key);
            },
            onReset: () => {
              epoch++;
              cache.clear();
            },
            onState: (up) => (streaming = up),
          },
        );

  const introspect = async (credential: Credential): Promise<GatehouseAuth> => {
    const key = 'cookie' in credential ? `c:${credential.cookie}` : `t:${credential.token}`;
    const hit = cache.get(key);
    if (hit && hit.expiresAt > Date.now()) return withChecks(hit.auth);
    const startedStreaming = streaming;
    const startedEpoch = epoch;
    let res: Response;
    try {
      res = await doFetch(`${url}/api/v1/introspect`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.credential}`, 'content-type': 'application/json' },
        body: JSON.stringify(credential),
      });
    } catch (error) {
      throw new GatehouseError('CLIENT_UNAVAILABLE', 503, 'Gatehouse could not be reached', { cause: error });
    }
    if (res.status === 401 || res.status === 403) {
      throw new GatehouseError(
        'CLIENT_UNAUTHORIZED',
        503,
        'Gatehouse refused the app credential (an API key holding sessions:introspect)',
      );
    }
    if (!res.ok) throw new GatehouseError('CLIENT_UNAVAILABLE', 503, `Gatehouse answered ${res.status}`);
    const answer = (await res.json()) as
      | { active: true; auth: AuthContext }
      | { active: false; code: string; status: number; message: string };
    if (!answer.active) throw new GatehouseError(answer.code, answer.status, answer.message);
    // An answer fetched while the stream was down (or went down meanwhile) lives the short TTL only.
    const ttl = startedStreaming && streaming ? cacheTtl : fallbackTtl;
    if (epoch === startedEpoch) cache.set(key, { auth: answer.auth, expiresAt: Date.now() + ttl });
    return withChecks(answer.auth);
  };

  const credentialOf = (request: RequestLike): Credential | null => {
    const authorization = header(request, 'authorization');
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      return match ? { token: match[1]! } : null;
    }
    const cookie = readCookie(header(request, 'cookie'), cookieName);
    return cookie ? { cookie } : null;
  };

  return {
    introspect,
    credentialOf,
    async authenticate(request) {
      const credential = credentialOf(request);
      if (!credential) throw new GatehouseError('AUTH_REQUIRED', 401, 'Sign in or present a bearer credential');
      return introspect(credential);
    },
    ready: stream.ready,
    get streaming() {
      return streaming;
    },
    close: () => stream.close(),
  };
}
