// `gatehouse api-keys list|create|revoke`: API keys for automation, through the same access
// decision and the same API key service as `/api/v1/organizations/{orgId}/api-keys`. The CLI acts
// as the API key in GATEHOUSE_API_KEY (threat: a database-level tool minting keys above anyone's
// role): that key is verified like a bearer credential, its organization is the one acted on, it
// needs api_keys:manage, and a new key can carry no permission the acting key lacks. The first key
// of an organization therefore comes from the admin page or the API, by a signed-in admin.
import { parseArgs } from 'node:util';
import { createAccessVerifier } from '../../access/access-verifier.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../../access/api-keys.ts';
import { actorOf } from '../../audit/actor.ts';
import { ConfigError, loadConfig } from '../../config.ts';
import { AppError } from '../../core/errors.ts';
import { apiKeyView } from '../../http/api/routes/api-keys.ts';
import { inTenant } from '../../store/tenant.ts';
import { openStore, storeLocationFor } from '../../store/store.ts';
import { createPermissionCatalogue } from '../../core/permission-catalogue.ts';

const USAGE =
  'usage: gatehouse api-keys list [--json]\n' +
  '       gatehouse api-keys create --name N --role R [--environment live|test] [--expires-at ISO] [--json]\n' +
  '       gatehouse api-keys revoke KEY_ID';

export async function apiKeysCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'list' && action !== 'create' && action !== 'revoke') {
    console.error(USAGE);
    return 1;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: action === 'revoke',
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      name: { type: 'string' },
      role: { type: 'string' },
      environment: { type: 'string', default: 'live' },
      'expires-at': { type: 'string' },
    },
  });
  const config = loadConfig();
  if (!config.GATEHOUSE_API_KEY)
    throw new ConfigError(
      'GATEHOUSE_API_KEY',
      'is required for `api-keys`; expected an API key (gth_...) with the api_keys:manage permission to act as',
    );
  const catalogue = createPermissionCatalogue(config.APP_PERMISSIONS);
  const store = await openStore(storeLocationFor(config), { migrate: false });
  try {
    const verifier = createAccessVerifier({ db: store.db, permissions: catalogue });
    const auth = await verifier.verifyCredential({ bearer: config.GATEHOUSE_API_KEY }, { sourceIp: 'cli' });
    verifier.close();
    if (!auth.permissions.includes('api_keys:manage'))
      throw new AppError('AUTH_FORBIDDEN', 'This needs the api_keys:manage permission');
    const orgId = auth.organizationId;
    if (action === 'list') {
      const keys = (await inTenant(store.db, orgId, (tx) => listApiKeys(tx, orgId))).map(apiKeyView);
      if (values.json) console.log(JSON.stringify({ data: keys }));
      else
        for (const k of keys)
          console.log(
            [k.id, k.prefix, k.name, k.role, k.environment, k.revokedAt ? `revoked ${k.revokedAt}` : 'active'].join(
              '\t',
            ),
          );
      return 0;
    }
    if (action === 'create') {
      if (!values.name || !values.role)
        throw new AppError('REQUEST_INVALID', `create needs --name and --role\n${USAGE}`);
      if (values.environment !== 'live' && values.environment !== 'test')
        throw new AppError('REQUEST_INVALID', '--environment must be live or test');
      const expiresAt = values['expires-at'] ? new Date(values['expires-at']) : null;
      if (expiresAt && Number.isNaN(expiresAt.getTime()))
        throw new AppError('REQUEST_INVALID', '--expires-at must be an ISO 8601 date-time');
      const created = await inTenant(store.db, orgId, (tx) =>
        createApiKey(tx, {
          creator: auth,
          name: values.name!,
          role: values.role!,
          ownership: 'organization',
          environment: values.environment as 'live' | 'test',
          expiresAt,
          catalogue,
        }),
      );
      // The secret goes to stdout once, alone on its line (or in the JSON), for a script to capture.
      if (values.json) console.log(JSON.stringify({ apiKey: apiKeyView(created.apiKey), secret: created.secret }));
      else {
        console.error(`created ${created.apiKey.id} (${created.apiKey.role}); the secret below is shown once`);
        console.log(created.secret);
      }
      return 0;
    }
    const keyId = positionals[0];
    if (!keyId || positionals.length > 1) throw new AppError('REQUEST_INVALID', `revoke needs one KEY_ID\n${USAGE}`);
    const revoked = await inTenant(store.db, orgId, (tx) =>
      revokeApiKey(tx, { organizationId: orgId, apiKeyId: keyId, actor: actorOf(auth) }),
    );
    if (!revoked) throw new AppError('RESOURCE_NOT_FOUND', 'No active API key with that id in this organization');
    console.log(`revoked ${keyId}`);
    return 0;
  } finally {
    await store.close();
  }
}
