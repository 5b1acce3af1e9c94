// The browser side of sign-in: validating `/user_management/authorize` and `/sso/authorize`
// requests, and turning a finished sign-in into a one-time authorization code on the app's
// redirect URI. The hosted pages (emulator/hosted) call these after their UI; the HTTP layer
// calls them directly for the non-interactive test IdP (`login_hint`, see README).
import { randomBytes, createHash } from 'node:crypto';
import type { EmulatorContext } from './context.ts';
import type { ConnectionWire, PendingSignIn } from '../state/types.ts';
import { EmulatorError, unprocessable, oauthError } from './errors.ts';
import { ssoConnectionsForEmail } from './connections.ts';
import { isRedirectUriAllowed } from './redirect-uris.ts';
import { announceSsoSuccess, checkProfileDomain, testIdpProfile, type TestIdpIdentity } from './test-idp.ts';

const CODE_TTL_MS = 10 * 60 * 1000;

export interface AuthorizeRequest {
  client_id: string;
  redirect_uri: string;
  state: string | null;
  code_challenge: string | null;
  code_challenge_method: string | null;
  provider: string | null;
  connection_id: string | null;
  organization_id: string | null;
  login_hint: string | null;
  domain_hint: string | null;
  screen_hint: string | null;
  prompt: string | null;
  invitation_token: string | null;
}

/** Validates the query of an authorize request; errors are 422 with the offending field. */
export function parseAuthorizeRequest(
  ctx: EmulatorContext,
  query: Record<string, string | undefined>,
): AuthorizeRequest {
  const errors = [];
  if (query.client_id !== ctx.config.clientId)
    errors.push({ field: 'client_id', code: 'invalid_client_id', message: 'Unknown client_id.' });
  let redirect = '';
  try {
    redirect = new URL(query.redirect_uri ?? '').toString();
  } catch {
    errors.push({
      field: 'redirect_uri',
      code: 'invalid_redirect_uri',
      message: 'redirect_uri must be an absolute URL.',
    });
  }
  if (redirect && !isRedirectUriAllowed(ctx, redirect))
    errors.push({
      field: 'redirect_uri',
      code: 'redirect_uri_not_allowed',
      message: 'redirect_uri is not registered for this environment.',
    });
  if (query.response_type !== undefined && query.response_type !== 'code')
    errors.push({
      field: 'response_type',
      code: 'unsupported_response_type',
      message: "response_type must be 'code'.",
    });
  // The SDKs send `connection`/`organization` on /sso/authorize and `connection_id`/`organization_id` on AuthKit's.
  const connectionId = query.connection_id ?? query.connection ?? null;
  const organizationId = query.organization_id ?? query.organization ?? null;
  if (!query.provider && !connectionId && !organizationId)
    errors.push({
      field: 'provider',
      code: 'provider_connection_or_organization_required',
      message: 'Specify provider, connection or organization.',
    });
  if (query.code_challenge && (query.code_challenge_method ?? 'S256') !== 'S256')
    errors.push({
      field: 'code_challenge_method',
      code: 'unsupported_code_challenge_method',
      message: 'Only S256 is supported.',
    });
  if (errors.length > 0) throw unprocessable(errors);
  return {
    client_id: query.client_id!,
    redirect_uri: redirect,
    state: query.state ?? null,
    code_challenge: query.code_challenge ?? null,
    code_challenge_method: query.code_challenge ? (query.code_challenge_method ?? 'S256') : null,
    provider: query.provider ?? null,
    connection_id: connectionId,
    organization_id: organizationId,
    login_hint: query.login_hint ?? null,
    domain_hint: query.domain_hint ?? null,
    screen_hint: query.screen_hint ?? null,
    prompt: query.prompt ?? null,
    invitation_token: query.invitation_token ?? null,
  };
}

/**
 * The SSO connection an authorize request points at: an explicit connection, the active
 * connection of an organization, or the connection the login/domain hint's domain requires.
 */
export function resolveAuthorizeConnection(ctx: EmulatorContext, req: AuthorizeRequest): ConnectionWire | null {
  const { world } = ctx;
  if (req.connection_id) {
    const connection = world.connections.get(req.connection_id);
    if (!connection)
      throw unprocessable([{ field: 'connection', code: 'connection_not_found', message: 'Unknown connection.' }]);
    return connection;
  }
  if (req.organization_id) {
    if (!world.organizations.has(req.organization_id))
      throw unprocessable([
        { field: 'organization', code: 'organization_not_found', message: 'Unknown organization.' },
      ]);
    const active = [...world.connections.values()].find(
      (c) => c.organization_id === req.organization_id && c.state === 'active',
    );
    if (active) return active;
    return null;
  }
  if (req.provider && req.provider !== 'authkit') {
    const ofType = [...world.connections.values()].find(
      (c) => c.connection_type === req.provider && c.state === 'active',
    );
    if (!ofType)
      throw unprocessable([
        { field: 'provider', code: 'provider_not_configured', message: `No active ${req.provider} connection.` },
      ]);
    return ofType;
  }
  const hint = req.login_hint ?? (req.domain_hint ? `x@${req.domain_hint}` : null);
  return hint ? (ssoConnectionsForEmail(ctx, hint)[0] ?? null) : null;
}

function redirectWith(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) if (v !== null) url.searchParams.set(k, v);
  return url.toString();
}

/** Issues an AuthKit authorization code for a finished sign-in; returns the redirect URL. */
export function completeAuthorization(ctx: EmulatorContext, req: AuthorizeRequest, signIn: PendingSignIn): string {
  const code = randomBytes(24).toString('base64url');
  ctx.world.authorizationCodes.set(code, {
    ...signIn,
    code,
    client_id: req.client_id,
    redirect_uri: req.redirect_uri,
    code_challenge: req.code_challenge,
    code_challenge_method: req.code_challenge_method,
    expires_at: new Date(ctx.world.clock.nowMs() + CODE_TTL_MS).toISOString(),
    used: false,
  });
  return redirectWith(req.redirect_uri, { code, state: req.state });
}

/** An error sent back to the app's redirect URI, as OAuth asks (e.g. the user cancelled at the IdP). */
export function authorizationErrorRedirect(req: AuthorizeRequest, error: string, description: string): string {
  return redirectWith(req.redirect_uri, { error, error_description: description, state: req.state });
}

/** Finishes an `/sso/authorize` request at the test IdP: a code for `/sso/token`; returns the redirect URL. */
export function completeSsoAuthorization(
  ctx: EmulatorContext,
  req: AuthorizeRequest,
  connection: ConnectionWire,
  identity: TestIdpIdentity,
): string {
  if (connection.state !== 'active')
    return authorizationErrorRedirect(req, 'connection_invalid', 'The SSO connection is not active.');
  const code = randomBytes(24).toString('base64url');
  const profile = testIdpProfile(ctx, connection, identity);
  try {
    checkProfileDomain(ctx, connection, profile.email);
  } catch (error) {
    if (error instanceof EmulatorError) return authorizationErrorRedirect(req, String(error.body.code), error.message);
    throw error;
  }
  announceSsoSuccess(ctx, connection, null, profile.email);
  ctx.world.ssoGrants.set(code, {
    code,
    connection_id: connection.id,
    organization_id: connection.organization_id,
    client_id: req.client_id,
    redirect_uri: req.redirect_uri,
    profile: { ...profile },
    code_challenge: req.code_challenge,
    code_challenge_method: req.code_challenge_method,
    expires_at: new Date(ctx.world.clock.nowMs() + CODE_TTL_MS).toISOString(),
    used: false,
  });
  return redirectWith(req.redirect_uri, { code, state: req.state });
}

/** RFC 7636 S256 check; the only method the emulator accepts, as WorkOS. */
export function verifyPkce(challenge: string | null | undefined, verifier: string | undefined): void {
  if (!challenge) return;
  if (!verifier) throw oauthError(400, 'invalid_grant', 'code_verifier is required for this code.');
  const computed = createHash('sha256').update(verifier).digest('base64url');
  if (computed !== challenge)
    throw oauthError(400, 'invalid_grant', 'code_verifier does not match the code challenge.');
}
