// A local OpenID Provider for `gatehouse dev` with AUTH_PROVIDER=oidc and for the tests: the real
// `oidc-provider` package (a devDependency, loaded only here) on a loopback port, with one client
// (Gatehouse) and fixed accounts. Its quick-start login form accepts an account's email with any
// password, and consent is granted on the account's behalf: this is a demo identity provider,
// never one to put in front of anything real.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DevIdpAccount {
  email: string;
  emailVerified?: boolean;
  givenName?: string;
  familyName?: string;
}

export interface DevIdpOptions {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  accounts: DevIdpAccount[];
  host?: string;
  port?: number;
}

export interface DevIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
interface GrantLike {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface ProviderLike {
  callback(): Handler;
  Grant: { new (init: { clientId: string; accountId: string }): GrantLike; find(id: string): Promise<GrantLike> };
}
interface OidcContext {
  oidc: {
    provider: ProviderLike;
    client: { clientId: string };
    session: { accountId: string; grantIdFor(clientId: string): string | undefined };
    result?: { consent?: { grantId?: string } };
  };
}

export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  // Not a static import: oidc-provider is a devDependency, and `serve` never loads this file.
  const { default: Provider } = (await import('oidc-provider' as string)) as {
    default: new (issuer: string, configuration: object) => ProviderLike;
  };
  // Its own in-memory store, said out loud (a demo provider keeps nothing across restarts).
  const { default: MemoryAdapter } = (await import('oidc-provider/lib/adapters/memory_adapter.js' as string)) as {
    default: new (name: string) => object;
  };
  class DevMemoryAdapter extends MemoryAdapter {}
  const host = options.host ?? '127.0.0.1';
  let handle: Handler = (_req, res) => res.writeHead(503).end();
  const server = createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, host, resolve));
  const issuer = `http://${host}:${(server.address() as AddressInfo).port}`;
  const accounts = new Map(options.accounts.map((a) => [a.email.toLowerCase(), a]));
  const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: options.clientId,
        client_secret: options.clientSecret,
        redirect_uris: options.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...key, kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name'] },
    pkce: { required: () => true },
    adapter: DevMemoryAdapter,
    ttl: {
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 8 * 3600,
      Grant: 8 * 3600,
      AccessToken: 600,
      IdToken: 600,
    },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.get(id.toLowerCase());
      if (!account) return undefined;
      return {
        accountId: id.toLowerCase(),
        claims: () => ({
          sub: id.toLowerCase(),
          email: account.email.toLowerCase(),
          email_verified: account.emailVerified ?? true,
          given_name: account.givenName,
          family_name: account.familyName,
        }),
      };
    },
    // Consent granted on the account's behalf: Gatehouse is this provider's first-party client.
    async loadExistingGrant(ctx: OidcContext) {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
      if (grantId) return oidc.provider.Grant.find(grantId);
      const grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  handle = provider.callback();
  return {
    issuer,
    clientId: options.clientId,
    clientSecret: options.clientSecret,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
