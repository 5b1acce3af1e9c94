// The parts of AUTH_PROVIDER=oidc, built without I/O for the composition root: the OIDC client
// (discovery cache), the connections service (secrets in a sealed box of their own purpose) and the provider.
import type { Kysely } from 'kysely';
import { createSealedBox } from '../../core/sealed-box.ts';
import type { Database } from '../../store/schema.ts';
import { createLocalProvider, type LocalSignup } from '../local/local-provider.ts';
import { createOidcClients, type OidcClients } from './oidc-client.ts';
import { createOidcConnections, type OidcConnections } from './oidc-connections.ts';
import { createOidcProvider, type OidcIdentityProvider } from './oidc-provider.ts';

/** Where every connection's identity provider sends the browser back (register it there). */
export const OIDC_CALLBACK_PATH = '/auth/oidc/callback';

export interface OidcSignIn {
  provider: OidcIdentityProvider;
  /** PUBLIC_URL + OIDC_CALLBACK_PATH. */
  redirectUri: string;
  connections: OidcConnections;
  clients: OidcClients;
}

export function createOidcSignIn(deps: {
  db: Kysely<Database>;
  /** GATEHOUSE_SECRET first, then previous secrets: the vault of client secrets decrypts with all. */
  secrets: readonly string[];
  publicUrl: string;
  signup: LocalSignup;
  fetch?: typeof fetch;
  clock?: () => number;
}): OidcSignIn {
  const clock = deps.clock ? { clock: deps.clock } : {};
  const clients = createOidcClients({ ...(deps.fetch ? { fetch: deps.fetch } : {}), ...clock });
  const connections = createOidcConnections({
    db: deps.db,
    vault: createSealedBox('connection-secret', deps.secrets),
    clients,
  });
  const local = createLocalProvider({
    db: deps.db,
    secret: deps.secrets[0]!,
    publicUrl: deps.publicUrl,
    signup: deps.signup,
    ...clock,
  });
  const provider = createOidcProvider({ db: deps.db, connections, local, publicUrl: deps.publicUrl, ...clock });
  return { provider, connections, clients, redirectUri: `${deps.publicUrl}${OIDC_CALLBACK_PATH}` };
}
