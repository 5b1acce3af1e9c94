// WorkOS Connect applications: OAuth applications (first party, or third party owned by an
// organization) and machine-to-machine applications (owned by an organization), each with client
// secrets. Rules kept: a third-party OAuth or M2M application names an existing organization; a
// first-party one does not; redirect URIs are absolute and at most one is the default (the first
// is, if none says so); an M2M application has no redirect URIs; an application is found by its id
// or its client id. A secret is shown once at creation; only its sha256 and a four-character hint
// are kept, and an M2M application's secrets work at `POST /oauth2/token` (client_credentials).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { ConnectApplicationWire, ConnectSecretRecord } from '../state/platform-types.ts';
import { EmulatorError, notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';
import { requireOrganization } from './organization-lookup.ts';

const RedirectUri = z.object({ uri: z.url(), default: z.boolean().nullish() });
const Common = {
  name: z.string().min(1).max(255),
  description: z.string().max(1000).nullish(),
  scopes: z.array(z.string().min(1)).nullish(),
};
const CreateInput = z.discriminatedUnion('application_type', [
  z.object({
    ...Common,
    application_type: z.literal('oauth'),
    redirect_uris: z.array(RedirectUri).nullish(),
    uses_pkce: z.boolean().nullish(),
    is_first_party: z.boolean(),
    organization_id: z.string().min(1).nullish(),
  }),
  z.object({ ...Common, application_type: z.literal('m2m'), organization_id: z.string().min(1) }),
]);
// The SDK sends null for every field it was not given: null leaves the field as it is.
const UpdateInput = z.object({
  ...Common,
  name: Common.name.optional(),
  redirect_uris: z.array(RedirectUri).nullish(),
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

function invalid(field: string, message: string): EmulatorError {
  return new EmulatorError(422, { code: 'invalid_request_parameters', message, errors: [{ field, code: 'invalid' }] });
}

function redirectUris(list: Array<z.infer<typeof RedirectUri>>): Array<{ uri: string; default: boolean }> {
  const defaults = list.filter((r) => r.default === true).length;
  if (defaults > 1) throw invalid('redirect_uris', 'At most one redirect URI can be the default.');
  return list.map((r, i) => ({ uri: r.uri, default: defaults === 0 ? i === 0 : r.default === true }));
}

export function requireApplication(ctx: EmulatorContext, idOrClientId: string): ConnectApplicationWire {
  const direct = ctx.world.connectApplications.get(idOrClientId);
  if (direct) return direct;
  for (const app of ctx.world.connectApplications.values()) if (app.client_id === idOrClientId) return app;
  throw notFound('Connect application', idOrClientId);
}

const copy = (app: ConnectApplicationWire) => structuredClone(app);

export function createApplication(ctx: EmulatorContext, body: unknown): ConnectApplicationWire {
  const input = parseInput(CreateInput, body);
  const { world } = ctx;
  const now = world.nowIso();
  const base = {
    object: 'connect_application' as const,
    id: world.newId('conn_app'),
    client_id: world.newId('client'),
    name: input.name,
    description: input.description ?? null,
    scopes: input.scopes ?? [],
    created_at: now,
    updated_at: now,
  };
  let app: ConnectApplicationWire;
  if (input.application_type === 'm2m') {
    requireOrganization(ctx, input.organization_id);
    app = { ...base, application_type: 'm2m', organization_id: input.organization_id };
  } else {
    if (input.is_first_party && input.organization_id) {
      throw invalid('organization_id', 'A first-party application belongs to the environment, not an organization.');
    }
    if (!input.is_first_party) {
      if (!input.organization_id) throw invalid('organization_id', 'A third-party application needs organization_id.');
      requireOrganization(ctx, input.organization_id);
    }
    app = {
      ...base,
      application_type: 'oauth',
      redirect_uris: redirectUris(input.redirect_uris ?? []),
      uses_pkce: input.uses_pkce ?? false,
      is_first_party: input.is_first_party,
      ...(input.is_first_party
        ? {}
        : { was_dynamically_registered: false, organization_id: input.organization_id as string }),
    };
  }
  world.connectApplications.set(app.id, app);
  return copy(app);
}

export function getApplication(ctx: EmulatorContext, idOrClientId: string): ConnectApplicationWire {
  return copy(requireApplication(ctx, idOrClientId));
}

export function listApplications(ctx: EmulatorContext, organizationId: string | undefined, params: ListParams) {
  const items = [...ctx.world.connectApplications.values()].filter(
    (a) => !organizationId || a.organization_id === organizationId,
  );
  return paginate(items, params, copy);
}

export function updateApplication(ctx: EmulatorContext, idOrClientId: string, body: unknown) {
  const input = parseInput(UpdateInput, body);
  const app = requireApplication(ctx, idOrClientId);
  if (input.redirect_uris && app.application_type === 'm2m') {
    throw invalid('redirect_uris', 'A machine-to-machine application has no redirect URIs.');
  }
  if (input.name !== undefined) app.name = input.name;
  if (input.description !== undefined && input.description !== null) app.description = input.description;
  if (input.scopes) app.scopes = input.scopes;
  if (input.redirect_uris) app.redirect_uris = redirectUris(input.redirect_uris);
  app.updated_at = ctx.world.nowIso();
  return copy(app);
}

export function deleteApplication(ctx: EmulatorContext, idOrClientId: string): void {
  const app = requireApplication(ctx, idOrClientId);
  ctx.world.connectApplications.delete(app.id);
  for (const s of [...ctx.world.connectSecrets.values()])
    if (s.application_id === app.id) ctx.world.connectSecrets.delete(s.id);
}

function publicSecret(record: ConnectSecretRecord) {
  const { application_id: _a, secret_hash: _h, ...wire } = record;
  return wire;
}

export function listSecrets(ctx: EmulatorContext, idOrClientId: string) {
  const app = requireApplication(ctx, idOrClientId);
  return [...ctx.world.connectSecrets.values()].filter((s) => s.application_id === app.id).map(publicSecret);
}

export function createSecret(ctx: EmulatorContext, idOrClientId: string) {
  const app = requireApplication(ctx, idOrClientId);
  const secret = randomBytes(32).toString('base64url');
  const now = ctx.world.nowIso();
  const record: ConnectSecretRecord = {
    object: 'connect_application_secret',
    id: ctx.world.newId('secret'),
    application_id: app.id,
    secret_hash: sha256(secret),
    secret_hint: secret.slice(-4),
    last_used_at: null,
    created_at: now,
    updated_at: now,
  };
  ctx.world.connectSecrets.set(record.id, record);
  return { ...publicSecret(record), secret };
}

export function deleteSecret(ctx: EmulatorContext, id: string): void {
  if (!ctx.world.connectSecrets.delete(id)) throw notFound('Client secret', id);
}

/**
 * The M2M application a `client_credentials` request proves, or null. Every secret's hash is
 * compared in constant time; the one that matched records its use.
 */
export function verifyConnectM2MSecret(
  ctx: EmulatorContext,
  clientId: string,
  secret: string,
): { client_id: string; organization_id: string; scopes: string[] } | null {
  const app = [...ctx.world.connectApplications.values()].find(
    (a) => a.client_id === clientId && a.application_type === 'm2m',
  );
  if (!app?.organization_id) return null;
  const presented = Buffer.from(sha256(secret), 'hex');
  for (const record of ctx.world.connectSecrets.values()) {
    if (record.application_id !== app.id) continue;
    if (timingSafeEqual(presented, Buffer.from(record.secret_hash, 'hex'))) {
      record.last_used_at = ctx.world.nowIso();
      return { client_id: app.client_id, organization_id: app.organization_id, scopes: [...app.scopes] };
    }
  }
  return null;
}
