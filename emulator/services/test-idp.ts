// The built-in test identity provider behind every SSO connection. An identity is an email
// (plus optional names); when the connection's organization has a directory user with that
// email, the profile carries that user's names, idp id, groups and role, as a real IdP that
// also provisions by SCIM would.
import { createHash } from 'node:crypto';
import type { EmulatorContext } from './context.ts';
import type { ConnectionWire, PendingSignIn } from '../state/types.ts';
import { EmulatorError, badRequest } from './errors.ts';
import { createUser, findUserByEmail } from './users.ts';
import { findMembership, insertMembership } from './memberships.ts';
import { markEmailVerified } from './one-time-codes.ts';
import { DEFAULT_ROLE_SLUG } from './roles.ts';

export interface TestIdpIdentity {
  email: string;
  first_name?: string | null | undefined;
  last_name?: string | null | undefined;
}

export interface SsoProfile {
  object: 'profile';
  id: string;
  organization_id: string | null;
  connection_id: string;
  connection_type: string;
  idp_id: string;
  email: string;
  first_name: string | null;
  last_name: string | null;
  name: string | null;
  role: { slug: string } | null;
  roles: Array<{ slug: string }> | null;
  groups: string[];
  custom_attributes: Record<string, unknown>;
  raw_attributes: Record<string, unknown>;
}

/** Directory users of the connection's organization, for the test IdP's "pick a user" list. */
export function testIdpDirectoryUsers(ctx: EmulatorContext, connection: ConnectionWire) {
  return [...ctx.world.directoryUsers.values()].filter(
    (u) => u.organization_id === connection.organization_id && u.state === 'active',
  );
}

export function testIdpProfile(
  ctx: EmulatorContext,
  connection: ConnectionWire,
  identity: TestIdpIdentity,
): SsoProfile {
  const email = identity.email.toLowerCase();
  const dirUser = testIdpDirectoryUsers(ctx, connection).find((u) => u.email?.toLowerCase() === email);
  const groups = dirUser
    ? [...ctx.world.groupMembers]
        .filter(([, members]) => members.has(dirUser.id))
        .map(([id]) => ctx.world.directoryGroups.get(id)?.name)
        .filter((n): n is string => !!n)
    : [];
  const first = identity.first_name ?? dirUser?.first_name ?? null;
  const last = identity.last_name ?? dirUser?.last_name ?? null;
  const idpId = dirUser?.idp_id ?? createHash('sha256').update(`${connection.id}:${email}`).digest('hex').slice(0, 20);
  const role = dirUser?.role ?? null;
  return {
    object: 'profile',
    id: `prof_${createHash('sha256').update(`${connection.id}:${idpId}`).digest('hex').slice(0, 26).toUpperCase()}`,
    organization_id: connection.organization_id,
    connection_id: connection.id,
    connection_type: connection.connection_type,
    idp_id: idpId,
    email,
    first_name: first,
    last_name: last,
    name: [first, last].filter(Boolean).join(' ') || null,
    role,
    roles: role ? [role] : null,
    groups,
    custom_attributes: {},
    raw_attributes: { email, first_name: first, last_name: last, groups, issuer: `test-idp:${connection.id}` },
  };
}

/** Whether the email's domain is one of the organization's verified domains. */
function emailInVerifiedDomain(ctx: EmulatorContext, organizationId: string, email: string): boolean {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  for (const d of ctx.world.organizationDomains.values()) {
    if (
      d.organization_id === organizationId &&
      d.domain === domain &&
      (d.state === 'verified' || d.state === 'legacy_verified')
    )
      return true;
  }
  return false;
}

/**
 * WorkOS's domain rule for SSO profiles: an IdP may assert any email (an IT admin of foo.test can
 * create bill@bar.test), so a profile whose email is outside the organization's verified domains
 * is refused with `profile_not_allowed_outside_organization` unless the organization allows
 * profiles outside it. Answers whether the email is vouched for by a verified domain.
 */
export function checkProfileDomain(ctx: EmulatorContext, connection: ConnectionWire, email: string): boolean {
  if (emailInVerifiedDomain(ctx, connection.organization_id, email)) return true;
  if (ctx.world.organizations.get(connection.organization_id)?.allow_profiles_outside_organization) return false;
  throw new EmulatorError(400, {
    code: 'profile_not_allowed_outside_organization',
    message: "The profile's email domain is not one of the organization's verified domains.",
  });
}

/**
 * Signs a test-IdP identity into AuthKit through a connection, linking it as WorkOS does: the
 * email names the user; a profile in one of the organization's verified domains proves the email
 * (the user is created verified, or an existing user linked); any other profile (allowed only
 * when the organization allows profiles outside it) links or creates the user only once the
 * inbox is proven by an emailed code (`email_unproven`). Provisions an active membership just
 * in time.
 */
export function ssoUserSignIn(
  ctx: EmulatorContext,
  connection: ConnectionWire,
  identity: TestIdpIdentity,
): PendingSignIn {
  if (connection.state !== 'active') throw badRequest('connection_inactive', 'The SSO connection is not active.');
  const profile = testIdpProfile(ctx, connection, identity);
  const vouched = checkProfileDomain(ctx, connection, profile.email);
  let user = findUserByEmail(ctx, profile.email);
  if (!user) {
    const created = createUser(ctx, {
      email: profile.email,
      first_name: profile.first_name,
      last_name: profile.last_name,
      email_verified: vouched,
    });
    user = ctx.world.users.get(created.id)!;
  }
  if (vouched) markEmailVerified(ctx, user);
  const membership = findMembership(ctx, user.id, connection.organization_id);
  if (!membership) {
    insertMembership(ctx, {
      userId: user.id,
      orgId: connection.organization_id,
      roleSlugs: [profile.role?.slug ?? DEFAULT_ROLE_SLUG],
      status: 'active',
    });
  } else if (membership.status === 'inactive') {
    throw badRequest('organization_membership_inactive', 'The organization membership is deactivated.');
  } else if (membership.status === 'pending') {
    membership.status = 'active';
    membership.updated_at = ctx.world.nowIso();
    ctx.world.emit('organization_membership.updated', membership);
  }
  announceSsoSuccess(ctx, connection, user.id, profile.email);
  return {
    user_id: user.id,
    organization_id: connection.organization_id,
    auth_method: 'sso',
    authentication_method: 'SSO',
    connection_id: connection.id,
    ...(vouched ? {} : { email_unproven: true }),
  };
}

/** `authentication.sso_succeeded`; the session does not exist yet when the IdP answers. */
export function announceSsoSuccess(
  ctx: EmulatorContext,
  connection: ConnectionWire,
  userId: string | null,
  email: string,
): void {
  ctx.world.emit('authentication.sso_succeeded', {
    type: 'sso',
    status: 'succeeded',
    ip_address: null,
    user_agent: null,
    user_id: userId,
    email,
    sso: { organization_id: connection.organization_id, connection_id: connection.id, session_id: null },
  });
}
